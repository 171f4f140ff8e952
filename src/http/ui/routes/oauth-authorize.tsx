import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuthorizeValidation, OAuthAuthorizationService } from '../../../services/oauth-authorization.js';
import { pageOrigin } from '../audit-origin.js';
import { authorizeFields, readAuthorizeParams } from '../authorize-params.js';
import { allowFormRedirectTo } from '../consent-csp.js';
import { formText } from '../form-body.js';
import { requireSignedIn } from '../guards.js';
import { ConsentPage } from '../pages/consent-page.js';
import { ErrorPage } from '../pages/error-page.js';
import { sendPage } from '../render.js';
import { signedInUser } from '../session.js';

type Refusal = Extract<AuthorizeValidation, { ok: false }>;

function refusalPage(reply: FastifyReply, description: string): Promise<FastifyReply> {
  return sendPage(reply, 400, <ErrorPage title="Authorization request refused" message={description} />);
}

/** An untrusted client or callback gets a page, never a redirect: it could send the user anywhere. */
function refuse(reply: FastifyReply, refusal: Refusal): Promise<FastifyReply> | FastifyReply {
  if (refusal.redirect) return reply.redirect(refusal.redirectTo, 303);
  return refusalPage(reply, refusal.description);
}

/**
 * GET /oauth2/authorize shows the consent page; POST /oauth2/authorize answers it. The POST trusts
 * nothing from the page: it validates the posted parameters again exactly as the GET did.
 */
export function oauthAuthorizeRoutes(app: FastifyInstance, oauth: OAuthAuthorizationService): void {
  async function validate(source: unknown): Promise<AuthorizeValidation> {
    const parsed = readAuthorizeParams(source);
    if (!parsed.ok) {
      return {
        ok: false,
        error: 'invalid_request',
        description: `The parameter ${parsed.repeated} is repeated.`,
        redirect: false,
      };
    }
    return oauth.validateAuthorizeRequest(parsed.params);
  }

  app.get('/oauth2/authorize', { preHandler: requireSignedIn }, async (request, reply) => {
    const validation = await validate(request.query);
    if (!validation.ok) return refuse(reply, validation);
    const user = await signedInUser(request);
    const { request: authorize } = validation;
    const fields = authorizeFields({
      clientId: authorize.app.id,
      redirectUri: authorize.redirectUri,
      responseType: authorize.responseType,
      scope: authorize.scopes.join(' '),
      state: authorize.state,
      codeChallenge: authorize.codeChallenge,
      codeChallengeMethod: authorize.codeChallenge === undefined ? undefined : 'S256',
    });
    allowFormRedirectTo(reply, authorize.redirectUri);
    return sendPage(
      reply,
      200,
      <ConsentPage
        user={user}
        app={validation.app}
        scopes={authorize.scopes}
        redirectUri={authorize.redirectUri}
        fields={fields}
      />,
    );
  });

  app.post('/oauth2/authorize', { preHandler: requireSignedIn }, async (request, reply) => {
    const validation = await validate(request.body);
    if (!validation.ok) return refuse(reply, validation);
    const decision = formText(request.body, 'decision');
    if (decision === 'deny') {
      request.log.info({ appId: validation.request.app.id }, 'OAuth consent denied');
      return reply.redirect(oauth.deny(validation.request).redirectTo, 303);
    }
    if (decision !== 'accept') return refusalPage(reply, 'Choose Accept or Deny.');
    const user = await signedInUser(request);
    const { redirectTo, grant } = await oauth.approve(user, validation.request, pageOrigin(request, user));
    request.log.info({ appId: grant.appId, authorizationId: grant.id }, 'OAuth consent given');
    return reply.redirect(redirectTo, 303);
  });
}
