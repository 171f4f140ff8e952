import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../domain/errors.js';
import { OAuthError, type OAuthErrorCode } from '../domain/oauth.js';
import { StorageUnavailableError } from '../storage/ports.js';
import { setAdoResponseHeaders } from './ado-headers.js';

interface AdoException {
  status: number;
  typeKey: string;
  /** `Namespace, Assembly` that completes the .NET type name. */
  assembly: string;
}

const framework = 'Microsoft.TeamFoundation.Framework.Server, Microsoft.TeamFoundation.Framework.Server';
const security = 'Microsoft.VisualStudio.Services.Security, Microsoft.VisualStudio.Services.WebApi';
const webApi = 'Microsoft.VisualStudio.Services.WebApi, Microsoft.VisualStudio.Services.WebApi';
const core = 'Microsoft.TeamFoundation.Core.WebApi, Microsoft.TeamFoundation.Core.WebApi';
const build = 'Microsoft.TeamFoundation.Build.WebApi, Microsoft.TeamFoundation.Build2.WebApi';

/** The one mapping from domain error codes to what an Azure DevOps client sees. */
const exceptions: Record<ErrorCode, AdoException> = {
  invalidInput: { status: 400, typeKey: 'ArgumentException', assembly: 'System, mscorlib' },
  invalidName: { status: 400, typeKey: 'InvalidNameException', assembly: framework },
  userNotFound: { status: 404, typeKey: 'IdentityNotFoundException', assembly: webApi },
  userExists: { status: 409, typeKey: 'IdentityAlreadyExistsException', assembly: webApi },
  userDisabled: { status: 403, typeKey: 'IdentityDisabledException', assembly: webApi },
  organizationNotFound: { status: 404, typeKey: 'HostDoesNotExistException', assembly: framework },
  organizationExists: { status: 409, typeKey: 'HostAlreadyExistsException', assembly: framework },
  memberExists: { status: 409, typeKey: 'AddMemberIdentityAlreadyMemberException', assembly: webApi },
  notMember: { status: 404, typeKey: 'RemoveMemberServiceAccountException', assembly: webApi },
  ownerCannotLeave: { status: 400, typeKey: 'RemoveGroupMemberNotMemberException', assembly: webApi },
  projectNotFound: { status: 404, typeKey: 'ProjectDoesNotExistWithNameException', assembly: core },
  projectExists: { status: 409, typeKey: 'ProjectAlreadyExistsException', assembly: core },
  teamNotFound: { status: 404, typeKey: 'TeamNotFoundException', assembly: core },
  teamExists: { status: 409, typeKey: 'TeamAlreadyExistsException', assembly: core },
  defaultTeamRequired: { status: 400, typeKey: 'InvalidOperationException', assembly: 'System, mscorlib' },
  processNotFound: { status: 404, typeKey: 'ProcessNotFoundByTypeIdException', assembly: core },
  tokenNotFound: { status: 404, typeKey: 'SessionTokenNotFoundException', assembly: webApi },
  tokenRevoked: { status: 409, typeKey: 'InvalidPersonalAccessTokenException', assembly: webApi },
  // Lapis-only conditions of the rotate route; no Azure DevOps exception names them.
  tokenAlreadyRotated: { status: 409, typeKey: 'TokenAlreadyRotatedException', assembly: webApi },
  idempotencyKeyReused: { status: 422, typeKey: 'IdempotencyKeyReusedException', assembly: webApi },
  patLifespanPolicyViolation: { status: 403, typeKey: 'PatLifespanPolicyViolationException', assembly: webApi },
  fullScopePatPolicyViolation: { status: 403, typeKey: 'FullScopePatPolicyViolationException', assembly: webApi },
  globalPatPolicyViolation: { status: 403, typeKey: 'GlobalPatPolicyViolationException', assembly: webApi },
  auditAccessDenied: { status: 403, typeKey: 'UnauthorizedAccessException', assembly: webApi },
  appNotFound: { status: 404, typeKey: 'OAuthApplicationNotFoundException', assembly: webApi },
  grantNotFound: { status: 404, typeKey: 'SessionTokenNotFoundException', assembly: webApi },
  apiVersionMissing: { status: 400, typeKey: 'VssVersionNotSpecifiedException', assembly: webApi },
  apiVersionInvalid: { status: 400, typeKey: 'VssInvalidApiResourceVersionException', assembly: webApi },
  apiVersionOutOfRange: { status: 400, typeKey: 'VssVersionOutOfRangeException', assembly: webApi },
  apiVersionPreviewRequired: { status: 400, typeKey: 'VssInvalidPreviewVersionException', assembly: webApi },
  methodNotAllowed: { status: 405, typeKey: 'MethodNotAllowedException', assembly: 'System.Web.Http, System.Web.Http' },
  resourceAreaNotFound: { status: 404, typeKey: 'ResourceAreaNotFoundException', assembly: webApi },
  operationNotFound: { status: 404, typeKey: 'OperationNotFoundException', assembly: webApi },
  invalidBuildQuery: { status: 400, typeKey: 'InvalidBuildQueryException', assembly: build },
  buildRequestInvalid: { status: 400, typeKey: 'BuildRequestValidationFailedException', assembly: build },
  buildNotFound: { status: 404, typeKey: 'BuildNotFoundException', assembly: build },
  invalidBuildUpdate: { status: 400, typeKey: 'InvalidBuildException', assembly: build },
  definitionNotFound: { status: 404, typeKey: 'DefinitionNotFoundException', assembly: build },
  definitionExists: { status: 409, typeKey: 'DefinitionExistsException', assembly: build },
  definitionRevisionConflict: { status: 409, typeKey: 'DefinitionNotMatchedException', assembly: build },
  buildLogNotFound: { status: 404, typeKey: 'BuildLogNotFoundException', assembly: build },
  artifactNotFound: { status: 404, typeKey: 'ArtifactNotFoundException', assembly: build },
  retentionLeaseNotFound: { status: 404, typeKey: 'RetentionLeaseNotFoundException', assembly: build },
  folderNotFound: { status: 404, typeKey: 'FolderNotFoundException', assembly: build },
  folderExists: { status: 409, typeKey: 'FolderExistsException', assembly: build },
  storageUnavailable: { status: 503, typeKey: 'DatabaseConnectionException', assembly: framework },
  notOrganizationAdmin: { status: 403, typeKey: 'AccessCheckException', assembly: security },
};

export function exceptionFor(code: ErrorCode): Readonly<AdoException> {
  return exceptions[code];
}

export interface AdoErrorBody {
  $id: '1';
  innerException: null;
  message: string;
  typeName: string;
  typeKey: string;
  errorCode: 0;
  eventId: 3000;
  customProperties?: Record<string, unknown>;
}

export function adoErrorBody(
  typeKey: string,
  assembly: string,
  message: string,
  customProperties?: Record<string, unknown>,
): AdoErrorBody {
  const [namespace, assemblyName] = assembly.split(', ');
  return {
    $id: '1',
    ...(customProperties && { customProperties }),
    innerException: null,
    message,
    typeName: `${namespace}.${typeKey}, ${assemblyName}`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  };
}

/**
 * What a 503 for an unreachable database asks clients to wait, in seconds. Connections are made afresh on the
 * next request, so service returns within this long of the database; waiting longer gains nothing.
 */
export const storageRetryAfterSeconds = 5;

export interface ErrorResponse {
  status: number;
  body: AdoErrorBody;
}

/** `Retry-After` on every answer that says the store is away, whichever shape (envelope, OAuth, page) carries it. */
export function retryAfterFor(error: unknown): number | undefined {
  if (error instanceof StorageUnavailableError) return storageRetryAfterSeconds;
  if (error instanceof OAuthError) return error.retryAfterSeconds;
  return undefined;
}

/** Turns anything thrown into a response. Unknown errors become a generic 500 that names the request id. */
export function errorResponse(error: unknown, requestId: string): ErrorResponse {
  if (error instanceof DomainError) {
    const exception = exceptions[error.code];
    const custom = Object.keys(error.details).length > 0 ? { ...error.details } : undefined;
    return { status: exception.status, body: adoErrorBody(exception.typeKey, exception.assembly, error.message, custom) };
  }
  if (error instanceof StorageUnavailableError) {
    const exception = exceptions.storageUnavailable;
    return {
      status: exception.status,
      body: adoErrorBody(exception.typeKey, exception.assembly, `The service is temporarily unavailable (request ${requestId}).`),
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: adoErrorBody(clientErrorTypeKey(fastifyError), 'System, mscorlib', clientErrorMessage(fastifyError)) };
  }
  return {
    status: 500,
    body: adoErrorBody('InternalServerErrorException', framework, `An unexpected error occurred (request ${requestId}).`),
  };
}

function clientErrorTypeKey(error: Partial<FastifyError>): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'RequestContentTooLargeException';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'UnsupportedMediaTypeException';
  if (error.statusCode === 404) return 'NotFoundException';
  return 'ArgumentException';
}

/** Framework messages for client errors are safe to show; they never carry internals. */
function clientErrorMessage(error: Partial<FastifyError>): string {
  if (
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error instanceof SyntaxError
  ) {
    return 'The request body is not valid JSON.';
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'The request body is too large.';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'The request Content-Type is not supported.';
  return error.message ?? 'Bad request.';
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { status, body } = errorResponse(error, request.id);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  setAdoResponseHeaders(request, reply);
  const retryAfter = retryAfterFor(error);
  if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('x-tfs-serviceerror', encodeURIComponent(body.message))
    .send(body);
}

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

/**
 * The OAuth shape (RFC 6749 §5.2): 401 when the client failed to authenticate, 400 for every other
 * refusal, including bodies that are not forms. Unknown errors stay a generic 500 naming the request id.
 */
export function oauthErrorResponse(error: unknown, requestId: string): { status: number; body: OAuthErrorBody } {
  if (error instanceof OAuthError) {
    const status =
      error.retryAfterSeconds !== undefined
        ? 429
        : error.code === 'invalid_client'
          ? 401
          : error.code === 'server_error'
            ? 500
            : 400;
    return { status, body: { error: error.code, error_description: error.description } };
  }
  if (error instanceof StorageUnavailableError) {
    return {
      status: 503,
      body: { error: 'server_error', error_description: `The service is temporarily unavailable (request ${requestId}).` },
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const description =
      fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'The request body must be application/x-www-form-urlencoded.'
        : clientErrorMessage(fastifyError);
    return { status: 400, body: { error: 'invalid_request', error_description: description } };
  }
  return {
    status: 500,
    body: { error: 'server_error', error_description: `An unexpected error occurred (request ${requestId}).` },
  };
}

export function sendOAuthError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { status, body } = oauthErrorResponse(error, request.id);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  const retryAfter = retryAfterFor(error);
  if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  if (status === 401 && /^\s*basic\b/i.test(request.headers.authorization ?? '')) {
    reply.header('WWW-Authenticate', 'Basic realm="oauth2", charset="UTF-8"');
  }
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .send(body);
}
