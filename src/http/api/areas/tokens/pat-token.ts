import type { Organization, PersonalAccessToken } from '../../../../domain/entities.js';
import { DomainError, type ErrorCode } from '../../../../domain/errors.js';
import type { TokenField } from '../../../../domain/pat-rules.js';
import { restrictionsView } from './lapis-restrictions.js';

/** The lifecycle API's shapes: PatToken, PatTokenResult and the in-band `patTokenError` values. */

export type PatTokenError =
  | 'none'
  | 'displayNameRequired'
  | 'invalidDisplayName'
  | 'invalidValidTo'
  | 'invalidScope'
  | 'invalidToken'
  | 'tokenNotFound'
  | 'invalidAuthorizationId'
  | 'accessDenied'
  | 'failedToReadTenantPolicy'
  | 'globalPatPolicyViolation'
  | 'fullScopePatPolicyViolation'
  | 'patLifespanPolicyViolation'
  /** Lapis only: `lapisRestrictions` was refused (a client that never sends the field never sees it). */
  | 'invalidLapisRestrictions';

/**
 * Domain refusals the API answers in band with HTTP 200, as Azure DevOps does. A new domain code (a policy
 * violation, say) is one line here; codes not listed stay ordinary error envelopes.
 */
const inBandByCode: Partial<Record<ErrorCode, PatTokenError>> = {
  tokenNotFound: 'tokenNotFound',
  tokenRevoked: 'invalidToken',
  patLifespanPolicyViolation: 'patLifespanPolicyViolation',
  fullScopePatPolicyViolation: 'fullScopePatPolicyViolation',
  globalPatPolicyViolation: 'globalPatPolicyViolation',
};

const inBandByField: Record<TokenField, PatTokenError> = {
  displayName: 'invalidDisplayName',
  scope: 'invalidScope',
  validTo: 'invalidValidTo',
  restrictions: 'invalidLapisRestrictions',
};

/** The in-band error for a refusal, or undefined when it is not one the API answers in band. */
export function patTokenErrorFor(error: unknown): PatTokenError | undefined {
  if (!(error instanceof DomainError)) return undefined;
  const byCode = inBandByCode[error.code];
  if (byCode) return byCode;
  const field = error.details.field as TokenField | undefined;
  // A restriction refused for any reason (an unknown project too) is the caller's input, answered in band.
  if (field === 'restrictions') return inBandByField.restrictions;
  if (error.code !== 'invalidInput' || field === undefined) return undefined;
  if (field === 'displayName' && error.details.required === true) return 'displayNameRequired';
  return inBandByField[field];
}

/**
 * Azure DevOps' PatToken: `token` holds the text only in the answer that created it. `lapisRestrictions` is Lapis's
 * own field beside them; Azure DevOps clients ignore fields they do not know.
 */
export function patToken(token: PersonalAccessToken, text: string | null = null) {
  return {
    displayName: token.displayName,
    validTo: token.validTo,
    scope: token.scopes.join(' '),
    targetAccounts: token.organizationId === null ? null : [token.organizationId],
    validFrom: token.validFrom,
    authorizationId: token.id,
    token: text,
    lapisRestrictions: restrictionsView(token.restrictions),
  };
}

export type PatTokenResult = { patToken: ReturnType<typeof patToken> | null; patTokenError: PatTokenError };

/** Runs a lifecycle step; refusals the API answers in band become `{patToken: null, patTokenError}` with HTTP 200. */
export async function patTokenResult(step: () => Promise<ReturnType<typeof patToken>>): Promise<PatTokenResult> {
  try {
    return { patToken: await step(), patTokenError: 'none' };
  } catch (error) {
    const inBand = patTokenErrorFor(error);
    if (inBand === undefined) throw error;
    return { patToken: null, patTokenError: inBand };
  }
}

/** `allOrgs` as the API takes it: true for every accessible organization (no target), false for this one. */
export function targetOrganization(allOrgs: boolean, organization: Organization): string | null {
  return allOrgs ? null : organization.id;
}
