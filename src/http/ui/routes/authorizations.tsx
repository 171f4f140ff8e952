import type { FastifyInstance } from 'fastify';
import type { OAuthAppService } from '../../../services/oauth-apps.js';
import type { OAuthGrantService } from '../../../services/oauth-grants.js';
import { pageOrigin } from '../audit-origin.js';
import { requireSignedIn } from '../guards.js';
import { AuthorizationsPage, revokeAuthorizationPath } from '../pages/authorizations-page.js';
import { ConfirmPage } from '../pages/confirm-page.js';
import { sendPage } from '../render.js';
import { signedInUser } from '../session.js';

interface GrantParams {
  id: string;
}

const listPath = '/_usersSettings/authorizations';

/** The signed-in user's OAuth consents: list, and revoke after a confirmation page. */
export function authorizationRoutes(app: FastifyInstance, grants: OAuthGrantService, apps: OAuthAppService): void {
  app.get(listPath, { preHandler: requireSignedIn }, async (request, reply) => {
    const user = await signedInUser(request);
    const active = (await grants.listForUser(user)).filter(({ grant }) => grant.revokedAt === null);
    return sendPage(reply, 200, <AuthorizationsPage grants={active} />);
  });

  app.get<{ Params: GrantParams }>(`${listPath}/:id/revoke`, { preHandler: requireSignedIn }, async (request, reply) => {
    const user = await signedInUser(request);
    const grant = await grants.getOwned(user, request.params.id);
    if (grant.revokedAt !== null) return reply.redirect(listPath, 303);
    const appName = (await apps.find(grant.appId))?.name ?? 'This application';
    return sendPage(
      reply,
      200,
      <ConfirmPage
        title="Revoke access"
        action={revokeAuthorizationPath(grant.id)}
        confirmLabel="Revoke access"
        cancelHref={listPath}
      >
        <p>
          <strong>{appName}</strong> will lose access to your account at once: its access and refresh tokens stop working. It can
          only get access again if you accept its request once more.
        </p>
      </ConfirmPage>,
    );
  });

  app.post<{ Params: GrantParams }>(`${listPath}/:id/revoke`, { preHandler: requireSignedIn }, async (request, reply) => {
    const user = await signedInUser(request);
    const grant = await grants.getOwned(user, request.params.id);
    await grants.revoke(grant, pageOrigin(request, user));
    request.log.info({ authorizationId: grant.id }, 'OAuth authorization revoked');
    return reply.redirect(listPath, 303);
  });
}
