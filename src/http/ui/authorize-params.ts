import type { AuthorizeParams } from '../../services/oauth-authorization.js';

/** The wire name of each authorize parameter. */
const wireNames: Record<keyof AuthorizeParams, string> = {
  clientId: 'client_id',
  redirectUri: 'redirect_uri',
  responseType: 'response_type',
  scope: 'scope',
  state: 'state',
  codeChallenge: 'code_challenge',
  codeChallengeMethod: 'code_challenge_method',
};

export type ParsedAuthorizeParams = { ok: true; params: AuthorizeParams } | { ok: false; repeated: string };

/**
 * Reads the authorize parameters from a query or a consent form alike. A repeated parameter is refused
 * (RFC 6749 §3.1): two redirect_uri values must never let one be checked and the other used.
 */
export function readAuthorizeParams(source: unknown): ParsedAuthorizeParams {
  const fields = typeof source === 'object' && source !== null ? (source as Record<string, unknown>) : {};
  const params: AuthorizeParams = {};
  for (const [key, name] of Object.entries(wireNames) as [keyof AuthorizeParams, string][]) {
    const value = fields[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return { ok: false, repeated: name };
    params[key] = value;
  }
  return { ok: true, params };
}

/** The parameters as name/value pairs for the consent form's hidden fields; absent ones stay absent. */
export function authorizeFields(params: AuthorizeParams): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [key, name] of Object.entries(wireNames) as [keyof AuthorizeParams, string][]) {
    const value = params[key];
    if (value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}
