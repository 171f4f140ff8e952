import type { PersonalAccessToken } from '../../../../domain/entities.js';
import { tokenStatus } from '../../../../domain/pat-rules.js';

/** Lapis has no OAuth client or host authorization behind a PAT: Azure DevOps' empty GUID stands for them. */
const emptyGuid = '00000000-0000-0000-0000-000000000000';

/** A PAT as the token admin API's `SessionToken`; never its text. */
export function sessionToken(token: PersonalAccessToken, now: Date) {
  return {
    accessId: emptyGuid,
    alternateToken: null,
    authorizationId: token.id,
    claims: null,
    clientId: emptyGuid,
    displayName: token.displayName,
    hostAuthorizationId: emptyGuid,
    isPublic: false,
    isValid: tokenStatus(token, now) === 'active',
    publicData: null,
    scope: token.scopes.join(' '),
    source: null,
    targetAccounts: token.organizationId === null ? null : [token.organizationId],
    token: null,
    userId: token.userId,
    validFrom: token.validFrom,
    validTo: token.validTo,
  };
}
