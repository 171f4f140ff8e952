/**
 * The catalog of stable error codes. Each code says what went wrong in domain terms; how it is
 * shown (HTTP status, Azure DevOps typeKey, OAuth error) is decided in http/errors.ts only.
 */
export const errorCodes = {
  invalidInput: 'A value in the request is malformed or out of range.',
  invalidName: 'A name does not meet the naming rules.',
  userNotFound: 'No user has that name or id.',
  userExists: 'A user with that name already exists.',
  userDisabled: 'The user is disabled.',
  organizationNotFound: 'No organization has that name or id.',
  organizationExists: 'An organization with that name already exists.',
  memberExists: 'The user is already a member of the organization.',
  notMember: 'The user is not a member of the organization.',
  ownerCannotLeave: 'The owner of an organization cannot be removed from it.',
  projectNotFound: 'No project in the organization has that name or id.',
  projectExists: 'A project with that name already exists in the organization.',
  teamNotFound: 'No team of the project has that name or id.',
  teamExists: 'A team with that name already exists in the project.',
  defaultTeamRequired: 'The default team of a project cannot be deleted.',
  processNotFound: 'No process has that id.',
  tokenNotFound: 'No personal access token has that authorization id (for this user).',
  tokenRevoked: 'The personal access token has been revoked and can no longer be changed.',
  tokenAlreadyRotated: 'The personal access token was rotated; its successor is the one to manage.',
  idempotencyKeyReused: 'The Idempotency-Key was sent before with a different request.',
  patLifespanPolicyViolation: "The token's lifetime is longer than the organization's policy allows.",
  fullScopePatPolicyViolation: "The organization's policy restricts full-access (all scopes) tokens.",
  globalPatPolicyViolation: "The organization's policy restricts tokens valid in all accessible organizations.",
  auditAccessDenied: "Reading an organization's audit log is for its owner and server administrators.",
  appNotFound: 'No OAuth application has that App ID.',
  grantNotFound: 'No OAuth authorization has that id (for this user).',
  apiVersionMissing: 'A write request did not say which api-version it speaks.',
  apiVersionInvalid: 'The api-version is not in the {Major}.{Minor}[-preview[.{ResourceVersion}]] format.',
  apiVersionOutOfRange: 'The api-version is outside what this server or this route supports.',
  apiVersionPreviewRequired: 'The api-version is newer than the released one and lacks -preview.',
  methodNotAllowed: 'The resource exists but does not support the HTTP method.',
  resourceAreaNotFound: 'The resource area has no location of its own on this server.',
  operationNotFound: 'No operation in the organization has that id.',
  invalidBuildQuery: 'Build list filters that cannot be combined.',
  buildRequestInvalid: 'A build cannot be queued as requested (for example, its pipeline is disabled).',
  buildNotFound: 'No build in the project has that id.',
  invalidBuildUpdate: 'A build change that the rules do not allow (field, transition or retained build).',
  definitionNotFound: 'No build definition in the project has that id.',
  definitionExists: 'A build definition with that name already exists in the folder.',
  definitionRevisionConflict: 'The definition was changed since the revision the caller read.',
  buildLogNotFound: 'The build has no log with that id.',
  artifactNotFound: 'The build has no artifact with that name.',
  retentionLeaseNotFound: 'No retention lease in the project has that id.',
  folderNotFound: 'No pipeline folder in the project has that path.',
  folderExists: 'A pipeline folder with that path already exists.',
  storageUnavailable: 'The database cannot be reached.',
  notOrganizationAdmin: 'Only an owner or administrator of the organization may do this.',
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields a client may act on (never secrets). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
