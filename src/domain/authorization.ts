import type { Organization } from './entities.js';
import type { CredentialKind, Principal } from './principal.js';
import { findScope, scopesAllow } from './scopes.js';

/** Why a request was refused: by identification (the credential itself) or by an authorization step. */
export type RefusalReason =
  | 'missing'
  | 'malformed'
  | 'invalid'
  | 'expired'
  | 'revoked'
  | 'disabledUser'
  | 'throttled'
  | 'credentialNotAccepted'
  | 'wrongOrganization'
  | 'notMember'
  /** A valid credential whose scopes do not cover the operation. */
  | 'insufficientScope';

export interface Refusal {
  reason: RefusalReason;
  /** Shown to the caller: never echoes the credential. */
  message: string;
  /** The kind of credential presented, when one was. */
  credential?: CredentialKind;
  /** The PAT or OAuth grant id, when the credential was recognised. */
  authorizationId?: string;
  retryAfterSeconds?: number;
}

/** What the caller wants to do: where, with which credential kinds allowed, needing which scope. */
export interface AccessTarget {
  /** The organization named in the URL; absent at the server root. */
  organization?: Organization;
  /** Credential kinds the operation accepts; all when absent. */
  accepts?: readonly CredentialKind[];
  /** Any one of these scopes allows the call. */
  scopes: readonly string[];
  /** How the operation is named in messages, e.g. `GET build/builds`. */
  label: string;
}

/** One question asked of an identified principal; `undefined` lets the next step decide. */
export type AuthorizationStep = (principal: Principal, target: AccessTarget) => Refusal | undefined;

function refusal(principal: Principal, reason: RefusalReason, message: string): Refusal {
  return {
    reason,
    message,
    credential: principal.credential,
    ...(principal.authorizationId !== undefined && { authorizationId: principal.authorizationId }),
  };
}

function describeKind(kind: CredentialKind): string {
  switch (kind) {
    case 'pat':
      return 'personal access tokens';
    case 'oauth':
      return 'OAuth access tokens (Authorization: Bearer)';
    case 'session':
      return 'a signed-in browser session';
    default:
      return 'user name and password';
  }
}

function credentialName(kind: CredentialKind): string {
  if (kind === 'pat') return 'this personal access token';
  if (kind === 'oauth') return 'this OAuth access token';
  return 'this credential';
}

function describeScopes(scopes: readonly string[]): string {
  return scopes.map((id) => `${id} (${findScope(id)?.title ?? id})`).join(' or ');
}

export const credentialAccepted: AuthorizationStep = (principal, target) => {
  if (!target.accepts || target.accepts.includes(principal.credential)) return undefined;
  return refusal(
    principal,
    'credentialNotAccepted',
    `This API accepts only ${target.accepts.map(describeKind).join(' or ')}; ${describeKind(principal.credential)} cannot be used here.`,
  );
};

/** A PAT created for one organization is refused in every other. */
export const organizationRestriction: AuthorizationStep = (principal, target) => {
  const organization = target.organization;
  if (!organization || principal.organizationId === null || principal.organizationId === organization.id) return undefined;
  return refusal(
    principal,
    'wrongOrganization',
    `TF400813: The Personal Access Token used is not valid for the organization '${organization.name}'.`,
  );
};

/** Whatever the credential, a principal acts under an organization only while its user is a member. */
export const membership: AuthorizationStep = (principal, target) => {
  const organization = target.organization;
  if (!organization || principal.memberOf.has(organization.id)) return undefined;
  return refusal(
    principal,
    'notMember',
    `TF400813: The user '${principal.user.username}' is not authorized to access the organization '${organization.name}'.`,
  );
};

export const scopeCovered: AuthorizationStep = (principal, target) => {
  if (scopesAllow(principal.scopes, target.scopes)) return undefined;
  return refusal(
    principal,
    'insufficientScope',
    `Access Denied: ${credentialName(principal.credential)} lacks the scope ${describeScopes(target.scopes)} required for ${target.label}.`,
  );
};

/**
 * The order Azure DevOps reasons in: is this kind of credential accepted here, is it bound to another
 * organization, is its user a member, does it carry the scope. Later checks (project restriction, address
 * allow-list, policies) are further steps appended here.
 */
export const authorizationSteps: readonly AuthorizationStep[] = [
  credentialAccepted,
  organizationRestriction,
  membership,
  scopeCovered,
];

/** The first refusal any step gives, or `undefined` when the principal may act. */
export function authorize(
  principal: Principal,
  target: AccessTarget,
  steps: readonly AuthorizationStep[] = authorizationSteps,
): Refusal | undefined {
  for (const step of steps) {
    const refused = step(principal, target);
    if (refused) return refused;
  }
  return undefined;
}
