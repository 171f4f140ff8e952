import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditOrigin } from '../../../domain/audit.js';
import type { PersonalAccessToken, User } from '../../../domain/entities.js';
import type { TokenChangesInput } from '../../../services/tokens.js';
import { pageOrigin } from '../audit-origin.js';
import { formText } from '../form-body.js';
import { formFailure } from '../form-failure.js';
import { EditTokenPage } from '../pages/edit-token-page.js';
import { type ConfirmedAction, TokenConfirmPage } from '../pages/token-confirm-page.js';
import { TokenCreatedPage } from '../pages/token-created-page.js';
import type { TokenFormValues } from '../pages/token-form.js';
import { tokensPath } from '../pages/token-paths.js';
import { tokenView } from '../pages/token-view.js';
import { sendPage } from '../render.js';
import { expiryDate, expiryOptions } from '../token-expiry.js';
import { currentTokenValues, readTokenForm, tokenSettings } from './token-form-input.js';
import { membership, type UserSettingsOptions } from './user-settings.js';

interface TokenParams {
  id: string;
}

type TokenRequest = FastifyRequest<{ Params: TokenParams }>;

/** …/tokens/{authorizationId}/edit|regenerate|revoke, for the owner only: anyone else's token is "not found". */
export function tokenActionRoutes(app: FastifyInstance, options: UserSettingsOptions): void {
  const { tokens, clock, policy } = options;

  async function ownedToken(request: TokenRequest): Promise<PersonalAccessToken> {
    return tokens.getOwned(membership(request).user, request.params.id);
  }

  /** Edit and regenerate refuse a revoked token with tokenRevoked, which the error page shows as 409. */
  async function changeableToken(request: TokenRequest): Promise<PersonalAccessToken> {
    return tokens.getChangeable(membership(request).user, request.params.id);
  }

  async function editPage(request: TokenRequest, reply: FastifyReply, status: number, values?: TokenFormValues, error?: string) {
    const { organization, organizations } = membership(request);
    const token = await changeableToken(request);
    const known = await options.organizations.list();
    const projectNames = await tokens.projectNames([token]);
    // A token may still name an organization its owner has since left; it stays selectable until changed.
    const former = known.find((each) => each.id === token.organizationId && !organizations.some((mine) => mine.id === each.id));
    return sendPage(
      reply,
      status,
      <EditTokenPage
        organization={organization}
        organizations={former ? [...organizations, former] : organizations}
        expiry={expiryOptions(clock.now(), policy)}
        view={tokenView(token, clock.now(), known, projectNames)}
        values={values ?? currentTokenValues(token, projectNames)}
        usage={await options.usage.trailOf(token.id)}
        rotation={await options.tokenRotations.rotationOf(token.id)}
        error={error}
      />,
    );
  }

  app.get<{ Params: TokenParams }>('/tokens/:id/edit', (request, reply) => editPage(request, reply, 200));

  app.post<{ Params: TokenParams }>('/tokens/:id/edit', async (request, reply) => {
    const { user, organization } = membership(request);
    const token = await ownedToken(request);
    const values = readTokenForm(request.body);
    try {
      const expiry = expiryOptions(clock.now(), policy);
      const settings = tokenSettings(values, expiry, true);
      const changes: TokenChangesInput = {
        displayName: settings.displayName,
        scope: settings.scope,
        ...(settings.organizationId !== token.organizationId && { organizationId: settings.organizationId }),
        ...(settings.expiry !== 'keep' && { validTo: expiryDate(expiry, settings.expiry) }),
        restrictions: settings.restrictions,
      };
      await tokens.update(token, user, changes, pageOrigin(request, user));
    } catch (error) {
      const failure = formFailure(error);
      return editPage(request, reply, failure.status, values, failure.message);
    }
    return reply.redirect(`${tokensPath(organization)}?notice=updated`, 303);
  });

  async function confirmPage(request: TokenRequest, reply: FastifyReply, action: ConfirmedAction) {
    const token = await changeableToken(request);
    const view = tokenView(token, clock.now(), await options.organizations.list(), await tokens.projectNames([token]));
    return sendPage(
      reply,
      200,
      <TokenConfirmPage
        organization={membership(request).organization}
        view={view}
        action={action}
        rotation={await options.tokenRotations.rotationOf(token.id)}
      />,
    );
  }

  app.get<{ Params: TokenParams }>('/tokens/:id/regenerate', (request, reply) => confirmPage(request, reply, 'regenerate'));
  app.get<{ Params: TokenParams }>('/tokens/:id/revoke', (request, reply) => confirmPage(request, reply, 'revoke'));

  app.post<{ Params: TokenParams }>('/tokens/:id/regenerate', async (request, reply) => {
    const { user, organization } = membership(request);
    const token = await changeableToken(request);
    const origin = pageOrigin(request, user);
    // No choice (an older form) or "now" regenerates as before; a window rotates, and the old secret winds down.
    const grace = Number(formText(request.body, 'grace') || '0');
    const created =
      grace === 0
        ? { ...(await tokens.regenerate(token, user, origin)), graceEndsAt: undefined }
        : await rotated(token, user, grace, origin);
    request.log.info({ authorizationId: created.token.id, replaces: token.id }, 'personal access token regenerated');
    const view = tokenView(
      created.token,
      clock.now(),
      await options.organizations.list(),
      await tokens.projectNames([created.token]),
    );
    return sendPage(
      reply,
      200,
      <TokenCreatedPage
        organization={organization}
        view={view}
        text={created.text}
        regenerated
        graceEndsAt={created.graceEndsAt}
      />,
    );
  });

  async function rotated(token: PersonalAccessToken, user: User, grace: number, origin: AuditOrigin) {
    const result = await options.tokenRotations.rotate({ token, user, graceSeconds: grace, origin });
    // A page POST carries no Idempotency-Key, so a first answer always holds the text.
    return { token: result.successor, text: result.text ?? '', graceEndsAt: result.rotation.graceEndsAt };
  }

  app.post<{ Params: TokenParams }>('/tokens/:id/revoke', async (request, reply) => {
    const token = await ownedToken(request);
    await tokens.revoke(token, pageOrigin(request, membership(request).user));
    request.log.info({ authorizationId: token.id }, 'personal access token revoked');
    return reply.redirect(`${tokensPath(membership(request).organization)}?notice=revoked`, 303);
  });
}
