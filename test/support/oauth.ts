import { createHash, randomBytes } from 'node:crypto';
import type { Lapis } from '../../src/app.js';
import type { Services } from '../../src/compose.js';
import type { User } from '../../src/domain/entities.js';
import { OAuthError } from '../../src/domain/oauth.js';
import type { AuthorizeParams } from '../../src/services/oauth-authorization.js';

export const callback = 'https://app.example.test/callback';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function registerTestApp(services: Services, owner: User, scope = 'vso.build vso.project vso.profile') {
  return services.oauthApps.register({
    owner,
    name: 'Build Dashboard',
    company: 'Example Ltd',
    website: 'https://example.test',
    callbackUrls: [callback, 'http://127.0.0.1:7777/cb'],
    scope,
  });
}

/** A public client: PKCE instead of a secret, chosen at registration. */
export function registerPublicTestApp(services: Services, owner: User, scope = 'vso.build vso.project vso.profile') {
  return services.oauthApps.registerPublic({ owner, name: 'Command-line tool', callbackUrls: [callback], scope });
}

/** Runs the authorize step as the consent page will, and returns the code from the redirect. */
export async function authorizeCode(services: Services, user: User, params: AuthorizeParams): Promise<string> {
  const validation = await services.oauth.validateAuthorizeRequest({
    redirectUri: callback,
    responseType: 'Assertion',
    ...params,
  });
  if (!validation.ok) throw new Error(`authorize refused: ${validation.error} ${validation.description}`);
  const { redirectTo } = await services.oauth.approve(user, validation.request);
  const code = new URL(redirectTo).searchParams.get('code');
  if (!code) throw new Error('no code in the redirect');
  return code;
}

/** An OAuth access token for `user`, through the real token endpoint (the Azure DevOps assertion form). */
export async function accessTokenFor(lapis: Pick<Lapis, 'app' | 'services'>, user: User, scope: string): Promise<string> {
  const { app, secret } = await registerTestApp(lapis.services, user, scope);
  const code = await authorizeCode(lapis.services, user, { clientId: app.id });
  const response = await lapis.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: secret,
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: code,
      redirect_uri: callback,
    }).toString(),
  });
  if (response.statusCode !== 200) throw new Error(`token endpoint answered ${response.statusCode}: ${response.body}`);
  return (response.json() as { access_token: string }).access_token;
}

/** The OAuth refusal a service call ends in (code and description), or a failure when it succeeds. */
export async function refusal(promise: Promise<unknown>): Promise<{ code: string; description: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthError) return { code: error.code, description: error.description };
    throw error;
  }
  throw new Error('expected an OAuth refusal');
}
