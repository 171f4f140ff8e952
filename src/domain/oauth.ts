import type { Timestamp } from './entities.js';
import { DomainError } from './errors.js';

/** Access tokens live one hour, as Azure DevOps access tokens do. */
export const accessTokenLifetimeSeconds = 3600;
/** The one audience Lapis access tokens are minted for; a token for anything else is refused. */
export const accessTokenAudience = 'urn:lapis:api';

export const jwtBearerGrantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An application registered to ask users for access ("client" in OAuth terms). */
export interface OAuthApp {
  /** The App ID (client_id), a GUID. */
  id: string;
  ownerId: string;
  name: string;
  company: string;
  website: string;
  description: string;
  /** Redirect URIs, compared exactly. */
  callbackUrls: readonly string[];
  /** The scopes the app may ask for. */
  scopes: readonly string[];
  /** HMAC-SHA-256 of the client secret under the server secret, hex. */
  secretHash: string;
  secretCreatedAt: Timestamp;
  createdAt: Timestamp;
}

/** A user's consent to an app for some scopes; its id is the authorization id tokens carry. */
export interface OAuthGrant {
  id: string;
  appId: string;
  userId: string;
  scopes: readonly string[];
  createdAt: Timestamp;
  revokedAt: Timestamp | null;
}

export interface OAuthCode {
  /** Keyed hash of the code text. */
  codeHash: string;
  grantId: string;
  redirectUri: string;
  /** PKCE S256 challenge, when the request carried one. */
  codeChallenge: string | null;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  usedAt: Timestamp | null;
}

export interface OAuthRefreshToken {
  /** Keyed hash of the token text. */
  tokenHash: string;
  grantId: string;
  /** Whether the client proved its secret when this token was issued; public (PKCE) clients refresh without one. */
  clientAuthenticated: boolean;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  usedAt: Timestamp | null;
}

/** The OAuth 2.0 error codes Lapis answers with (RFC 6749 §4.1.2.1 and §5.2). */
export const oauthErrorCodes = {
  invalid_request: 'A parameter is missing, repeated, malformed or not allowed.',
  invalid_client: 'The client could not be authenticated.',
  invalid_grant: 'The code or refresh token is unknown, expired, already used, revoked or issued to someone else.',
  unauthorized_client: 'The client may not use this grant type.',
  unsupported_grant_type: 'The grant type is not supported.',
  unsupported_response_type: 'The response type is not supported.',
  invalid_scope: 'A requested scope is unknown or not granted.',
  access_denied: 'The user declined.',
  server_error: 'The server could not complete the request.',
} as const;

export type OAuthErrorCode = keyof typeof oauthErrorCodes;

/** A refusal told to the OAuth client. The description is safe to show: it never carries a secret. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    /** Set when the refusal is a throttle: the client may try again after this many seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
  }
}

const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A callback URL must be absolute https, or http on a loopback host, without credentials or fragment. */
export function validateCallbackUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError('invalidInput', `Callback URL "${value}" is not an absolute URL.`);
  }
  if (value.length > 2000) throw new DomainError('invalidInput', 'A callback URL must be at most 2000 characters.');
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && loopbackHosts.has(url.hostname));
  if (!secure) {
    throw new DomainError(
      'invalidInput',
      `Callback URL "${value}" must use https (http is allowed only on 127.0.0.1, ::1 and localhost).`,
    );
  }
  if (url.username || url.password) throw new DomainError('invalidInput', 'A callback URL must not contain credentials.');
  if (url.hash || value.includes('#')) throw new DomainError('invalidInput', 'A callback URL must not contain a fragment.');
  return value;
}

export function validateWebsite(value: string): string {
  if (value === '') return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || value.length > 2000) {
    throw new DomainError('invalidInput', `Website "${value}" is not an http(s) URL.`);
  }
  return value;
}

export function validateAppText(
  what: string,
  value: string,
  rule: { max: number; required?: boolean; multiline?: boolean },
): string {
  const text = value.trim();
  if (rule.required && text.length === 0) throw new DomainError('invalidInput', `${what} must not be empty.`);
  const checked = rule.multiline ? text.replaceAll(/\r?\n/g, '') : text;
  if (text.length > rule.max || /\p{Cc}/u.test(checked)) {
    throw new DomainError('invalidInput', `${what} must be at most ${rule.max} printable characters.`);
  }
  return text;
}

/** The scopes of `requested` that `allowed` does not contain. */
export function scopesBeyond(requested: readonly string[], allowed: readonly string[]): string[] {
  const set = new Set(allowed);
  return requested.filter((scope) => !set.has(scope));
}
