import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { User } from '../../../domain/entities.js';
import { DomainError } from '../../../domain/errors.js';
import type { OAuthApp } from '../../../domain/oauth.js';
import type { OAuthAppService } from '../../../services/oauth-apps.js';
import { baseUrl } from '../../base-url.js';
import { sendNotFoundPage } from '../error-pages.js';
import { formFlag, formList, formText } from '../form-body.js';
import { formFailure } from '../form-failure.js';
import { requireSignedIn } from '../guards.js';
import { AppEditPage, type AppEditValues, appEditValues } from '../pages/app-edit-page.js';
import { AppPage } from '../pages/app-page.js';
import { AppRegisterPage, emptyNewApp, type NewAppValues } from '../pages/app-register-page.js';
import { AppSecretPage } from '../pages/app-secret-page.js';
import { appPath } from '../pages/apps-nav.js';
import { AppsPage } from '../pages/apps-page.js';
import { ConfirmPage } from '../pages/confirm-page.js';
import { sendPage } from '../render.js';
import { signedInUser } from '../session.js';

interface AppParams {
  id: string;
}

export interface AppsAreaOptions {
  apps: OAuthAppService;
  publicUrl: string;
}

function callbackLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

function mayManage(user: User, app: OAuthApp): boolean {
  return app.ownerId === user.id || user.isAdmin;
}

/**
 * /app: OAuth app registration for every signed-in user. Only the owner (or an administrator) sees an
 * app; for anyone else it does not exist, so App IDs cannot be probed.
 */
export async function appsArea(app: FastifyInstance, { apps, publicUrl }: AppsAreaOptions): Promise<void> {
  app.addHook('preHandler', requireSignedIn);
  app.setNotFoundHandler(sendNotFoundPage);

  async function manageable(request: FastifyRequest<{ Params: AppParams }>): Promise<OAuthApp> {
    const user = await signedInUser(request);
    const found = await apps.find(request.params.id);
    if (!found || !mayManage(user, found)) throw new DomainError('appNotFound', 'There is no application with this App ID.');
    return found;
  }

  app.get('/', async (request, reply) => {
    const user = await signedInUser(request);
    return sendPage(reply, 200, <AppsPage apps={await apps.list(user)} />);
  });

  app.get('/register', (_request, reply) => sendPage(reply, 200, <AppRegisterPage values={emptyNewApp} />));

  app.post('/register', async (request, reply) => {
    const values: NewAppValues = {
      name: formText(request.body, 'name'),
      company: formText(request.body, 'company'),
      website: formText(request.body, 'website').trim(),
      description: formText(request.body, 'description'),
      callbacks: formText(request.body, 'callbacks'),
      scopes: formList(request.body, 'scope'),
      isPublic: formFlag(request.body, 'isPublic'),
    };
    try {
      const input = {
        owner: await signedInUser(request),
        name: values.name,
        company: values.company,
        website: values.website,
        description: values.description,
        callbackUrls: callbackLines(values.callbacks),
        scope: values.scopes.join(' '),
      };
      if (values.isPublic) {
        const registered = await apps.registerPublic(input);
        request.log.info({ appId: registered.id }, 'OAuth public client registered');
        return reply.redirect(appPath(registered.id), 303);
      }
      const registered = await apps.register(input);
      request.log.info({ appId: registered.app.id }, 'OAuth app registered');
      return sendPage(
        reply,
        200,
        <AppSecretPage title="Application registered" app={registered.app} secret={registered.secret} />,
      );
    } catch (error) {
      const failure = formFailure(error);
      return sendPage(reply, failure.status, <AppRegisterPage values={values} error={failure.message} />);
    }
  });

  app.get<{ Params: AppParams }>('/:id', async (request, reply) =>
    sendPage(reply, 200, <AppPage app={await manageable(request)} baseUrl={baseUrl(request, publicUrl)} />),
  );

  app.get<{ Params: AppParams }>('/:id/edit', async (request, reply) => {
    const found = await manageable(request);
    return sendPage(reply, 200, <AppEditPage app={found} values={appEditValues(found)} />);
  });

  app.post<{ Params: AppParams }>('/:id/edit', async (request, reply) => {
    const found = await manageable(request);
    const values: AppEditValues = { callbacks: formText(request.body, 'callbacks'), scopes: formList(request.body, 'scope') };
    try {
      const edited = await apps.edit(found, { callbackUrls: callbackLines(values.callbacks), scope: values.scopes.join(' ') });
      request.log.info({ appId: found.id, revokedGrants: edited.revokedGrants }, 'OAuth app edited');
      return reply.redirect(appPath(found.id), 303);
    } catch (error) {
      const failure = formFailure(error);
      return sendPage(reply, failure.status, <AppEditPage app={found} values={values} error={failure.message} />);
    }
  });

  app.get<{ Params: AppParams }>('/:id/rotate-secret', async (request, reply) => {
    const found = await manageable(request);
    return sendPage(
      reply,
      200,
      <ConfirmPage
        title="Rotate client secret"
        action={appPath(found.id, 'rotate-secret')}
        confirmLabel="Rotate secret"
        cancelHref={appPath(found.id)}
      >
        <p>
          <strong>{found.name}</strong> gets a new client secret, shown once. The current secret stops working at once; tokens
          already issued keep working.
        </p>
      </ConfirmPage>,
    );
  });

  app.post<{ Params: AppParams }>('/:id/rotate-secret', async (request, reply) => {
    const rotated = await apps.rotateSecret(await manageable(request));
    request.log.info({ appId: rotated.app.id }, 'OAuth app secret rotated');
    return sendPage(reply, 200, <AppSecretPage title="New client secret" app={rotated.app} secret={rotated.secret} />);
  });

  app.get<{ Params: AppParams }>('/:id/remove', async (request, reply) => {
    const found = await manageable(request);
    return sendPage(
      reply,
      200,
      <ConfirmPage
        title="Remove application"
        action={appPath(found.id, 'remove')}
        confirmLabel="Remove application"
        cancelHref={appPath(found.id)}
      >
        <p>
          <strong>{found.name}</strong> is deleted together with every authorization users gave it: its access and refresh tokens
          stop working at once. This cannot be undone.
        </p>
      </ConfirmPage>,
    );
  });

  app.post<{ Params: AppParams }>('/:id/remove', async (request, reply) => {
    const found = await manageable(request);
    await apps.remove(found);
    request.log.info({ appId: found.id }, 'OAuth app removed');
    return reply.redirect('/app', 303);
  });
}
