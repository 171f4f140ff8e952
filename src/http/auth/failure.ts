import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Refusal } from '../../domain/authorization.js';
import { adoErrorBody } from '../errors.js';

export interface FailureOptions {
  /** Base URL of this server, for the sign-in and realm headers. */
  baseUrl: string;
  anonymous: '203' | '401';
}

const suppressingMethods = new Set(['OPTIONS', 'HEAD', 'PROPFIND', 'PATCH']);
const framework = 'Microsoft.TeamFoundation.Framework.Server, Microsoft.TeamFoundation.Framework.Server';
const security = 'Microsoft.VisualStudio.Services.Security, Microsoft.VisualStudio.Services.WebApi';

/** Azure DevOps skips the sign-in redirect for clients that ask it to, and for some methods. */
function redirectSuppressed(request: FastifyRequest): boolean {
  const header = request.headers['x-tfs-fedauthredirect'];
  const values = Array.isArray(header) ? header.join(',') : (header ?? '');
  return /\bsuppress\b/i.test(values) || suppressingMethods.has(request.method);
}

function authenticateError(failure: Refusal): string {
  if (failure.reason === 'missing') return 'Unauthorized';
  if (failure.reason === 'malformed') return 'InvalidRequest';
  return 'InvalidToken';
}

/** A token's own restrictions refused the call: the credential is good, so 403, and signing in would not help. */
const restrictionReasons: ReadonlySet<Refusal['reason']> = new Set([
  'projectRestricted',
  'readOnlyRestricted',
  'addressRestricted',
]);

function accessCheck(failure: Refusal) {
  return adoErrorBody('AccessCheckException', security, failure.message, {
    Descriptor: null,
    IdentityDisplayName: null,
    Token: null,
    RequestedPermissions: 0,
    NamespaceId: '00000000-0000-0000-0000-000000000000',
    ...failure.detail,
  });
}

function body(failure: Refusal) {
  if (failure.reason === 'expired' || failure.reason === 'insufficientScope') return accessCheck(failure);
  return adoErrorBody('UnauthorizedRequestException', framework, failure.message);
}

function acceptsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return !accept || /application\/json|\*\/\*|application\/\*/i.test(accept);
}

function signInPage(signInUrl: string): string {
  const href = signInUrl.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in - Lapis</title></head><body><main><h1>Sign in to continue</h1><p>This resource needs you to sign in. Tools should send a personal access token (<code>Authorization: Basic</code>) or an OAuth token, and <code>X-TFS-FedAuthRedirect: Suppress</code> to receive a 401 instead of this page.</p><p><a href="${href}">Sign in</a></p></main></body></html>`;
}

/**
 * Answers a refused credential the way Azure DevOps does: 401 with its authentication headers and the
 * JSON error for API clients (which send `X-TFS-FedAuthRedirect: Suppress`) and for PATCH/OPTIONS/HEAD;
 * otherwise, for GET and POST, 203 with an HTML sign-in page (unless LAPIS_ANONYMOUS=401).
 */
export function sendRefusal(
  request: FastifyRequest,
  reply: FastifyReply,
  failure: Refusal,
  options: FailureOptions,
): FastifyReply {
  const message = failure.message;
  reply.header('X-TFS-ServiceError', encodeURIComponent(message));
  if (failure.reason === 'throttled' || failure.reason === 'rateLimited') {
    return reply
      .code(429)
      .header('Retry-After', String(failure.retryAfterSeconds ?? 60))
      .send(adoErrorBody('RequestBlockedException', framework, message, failure.detail && { ...failure.detail }));
  }
  if (restrictionReasons.has(failure.reason)) {
    return reply.code(403).header('content-type', 'application/json; charset=utf-8').send(accessCheck(failure));
  }
  const returnTo = request.url.split('?', 1)[0] ?? '/';
  const signInUrl = `${options.baseUrl}/_signin?returnUrl=${encodeURIComponent(returnTo)}`;
  const browserLike =
    options.anonymous === '203' && !redirectSuppressed(request) && (request.method === 'GET' || request.method === 'POST');
  // A valid credential of the wrong kind (a PAT on an OAuth-only API) is an API refusal, not a reason to sign in.
  const signInHelps = failure.reason !== 'insufficientScope' && failure.reason !== 'credentialNotAccepted';
  if (browserLike && signInHelps) {
    return reply.code(203).header('content-type', 'text/html; charset=utf-8').send(signInPage(signInUrl));
  }
  reply
    .code(401)
    .header(
      'WWW-Authenticate',
      `Bearer authorization_uri=${options.baseUrl}/oauth2/authorize, Basic realm="${options.baseUrl}/", TFS-Federated`,
    )
    .header('X-TFS-FedAuthRealm', `${options.baseUrl}/`)
    .header('X-TFS-FedAuthIssuer', `${options.baseUrl}/`)
    .header('X-VSS-AuthorizationEndpoint', `${options.baseUrl}/`)
    .header('X-TFS-FedAuthRedirect', signInUrl)
    .header('X-VSS-AuthenticateError', authenticateError(failure));
  if (!acceptsJson(request)) return reply.header('content-type', 'text/plain; charset=utf-8').send(message);
  return reply.header('content-type', 'application/json; charset=utf-8').send(body(failure));
}
