import { jwtBearerAssertionType, jwtBearerGrantType, OAuthError } from '../../domain/oauth.js';
import type { ClientCredentials, CodeExchange, RefreshExchange } from '../../services/oauth-tokens.js';
import type { ParsedAuthorization } from '../auth/authorization-header.js';

/** Which shape the client used: it decides the `token_type` of the answer. */
export type TokenForm = 'azureDevOps' | 'standard';

export type TokenRequest =
  | { grant: 'code'; form: TokenForm; exchange: Omit<CodeExchange, 'issuer'> }
  | { grant: 'refresh'; form: TokenForm; exchange: Omit<RefreshExchange, 'issuer'> };

type Form = ReadonlyMap<string, string>;

/** RFC 6749 §3.2: a parameter may appear once; one without a value counts as absent. */
function readForm(body: unknown): Form {
  if (typeof body !== 'object' || body === null) {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  }
  const form = new Map<string, string>();
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw new OAuthError('invalid_request', `The parameter ${name} must appear once.`);
    if (value !== '') form.set(name, value);
  }
  return form;
}

function required(form: Form, name: string): string {
  const value = form.get(name);
  if (value === undefined) throw new OAuthError('invalid_request', `The parameter ${name} is required.`);
  return value;
}

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before they go into the Basic header. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}

/** The client's id and secret, from exactly one of: Azure DevOps client_assertion, HTTP Basic, the body. */
function clientCredentials(form: Form, authorization: ParsedAuthorization): ClientCredentials {
  const assertionType = form.get('client_assertion_type');
  if (assertionType !== undefined && assertionType !== jwtBearerAssertionType) {
    throw new OAuthError('invalid_request', `The client_assertion_type must be ${jwtBearerAssertionType}.`);
  }
  const assertion = assertionType === undefined ? undefined : required(form, 'client_assertion');
  const basic = authorization.scheme === 'basic' ? authorization : undefined;
  const bodySecret = form.get('client_secret');
  const methods = [assertion, basic, bodySecret].filter((method) => method !== undefined);
  if (methods.length > 1) throw new OAuthError('invalid_request', 'Use exactly one way to authenticate the client.');
  const basicId = basic && formDecode(basic.user);
  const bodyId = form.get('client_id');
  if (basicId !== undefined && bodyId !== undefined && basicId !== bodyId) {
    throw new OAuthError('invalid_request', 'The client_id in the body differs from the one in the Authorization header.');
  }
  const secret = assertion ?? (basic && basic.password !== '' ? formDecode(basic.password) : undefined) ?? bodySecret;
  return { clientId: basicId || bodyId, secret };
}

/**
 * Reads a token request in any of the four accepted shapes: the Azure DevOps code exchange and refresh
 * (`assertion` carries the code or refresh token, `client_assertion` the client secret), and the standard
 * `authorization_code` and `refresh_token` grants.
 */
export function parseTokenRequest(body: unknown, authorization: ParsedAuthorization): TokenRequest {
  const form = readForm(body);
  const client = clientCredentials(form, authorization);
  const grantType = required(form, 'grant_type');
  switch (grantType) {
    case jwtBearerGrantType:
      return {
        grant: 'code',
        form: 'azureDevOps',
        exchange: { client, code: required(form, 'assertion'), redirectUri: required(form, 'redirect_uri') },
      };
    case 'authorization_code':
      return {
        grant: 'code',
        form: 'standard',
        exchange: {
          client,
          code: required(form, 'code'),
          redirectUri: required(form, 'redirect_uri'),
          codeVerifier: form.get('code_verifier'),
        },
      };
    case 'refresh_token': {
      const assertion = form.get('assertion');
      const refreshToken = form.get('refresh_token');
      if (assertion !== undefined && refreshToken !== undefined) {
        throw new OAuthError('invalid_request', 'Give the refresh token once: as refresh_token or as assertion.');
      }
      const azureDevOps = assertion !== undefined || form.has('client_assertion_type');
      return {
        grant: 'refresh',
        form: azureDevOps ? 'azureDevOps' : 'standard',
        exchange: {
          client,
          refreshToken: assertion ?? required(form, 'refresh_token'),
          scope: form.get('scope'),
        },
      };
    }
    default:
      throw new OAuthError('unsupported_grant_type', `The grant_type "${grantType.slice(0, 100)}" is not supported.`);
  }
}
