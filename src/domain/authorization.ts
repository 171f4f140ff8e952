import type { Organization } from './entities.js';
import type { CredentialKind, Principal } from './principal.js';
import { findScope, scopesAllow } from './scopes.js';
import { type RateWindow, readOnlyMethods } from './token-restrictions.js';

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
  | 'insufficientScope'
  /** A PAT restricted to other projects (or to project-level work). */
  | 'projectRestricted'
  /** A read-only PAT used with a method that changes something. */
  | 'readOnlyRestricted'
  /** A PAT used from an address outside its allow-list. */
  | 'addressRestricted'
  /** A PAT past its own rate limit. */
  | 'rateLimited';

export interface Refusal {
  reason: RefusalReason;
  /** Shown to the caller: never echoes the credential. */
  message: string;
  /** The kind of credential presented, when one was. */
  credential?: CredentialKind;
  /** The PAT or OAuth grant id, when the credential was recognised. */
  authorizationId?: string;
  retryAfterSeconds?: number;
  /** What was needed and what was granted, for the error envelope's customProperties. */
  detail?: Readonly<Record<string, unknown>>;
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
  /** The method the request means (HEAD and X-HTTP-Method-Override resolved); the read-only restriction reads it. */
  method?: string;
  /** The client address (the proxy-aware one); the address allow-list reads it. */
  clientAddress?: string;
  /**
   * The project the URL names, when it names one: its id, or null when no such project exists. Resolved only for
   * principals with a project restriction, so others cost no lookup here.
   */
  project?: { id: string | null; name: string };
  /** The rate counter's answer, for principals with a rate limit. */
  rate?: RateWindow;
}

/** One question asked of an identified principal; `undefined` lets the next step decide. */
export type AuthorizationStep = (principal: Principal, target: AccessTarget) => Refusal | undefined;

function refusal(
  principal: Principal,
  reason: RefusalReason,
  message: string,
  detail?: Readonly<Record<string, unknown>>,
): Refusal {
  return {
    reason,
    message,
    credential: principal.credential,
    ...(principal.authorizationId !== undefined && { authorizationId: principal.authorizationId }),
    ...(detail && { detail }),
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
  const granted = principal.grantedScopes ?? [...principal.scopes];
  return refusal(
    principal,
    'insufficientScope',
    `Access Denied: ${credentialName(principal.credential)} lacks the scope ${describeScopes(target.scopes)} required for ${target.label}; it grants ${granted.join(' ') || 'no scope'}.`,
    { RequiredScopes: [...target.scopes], GrantedScopes: [...granted] },
  );
};

/** A PAT restricted to projects acts only in them; where the URL names no project it may only read. */
export const projectRestriction: AuthorizationStep = (principal, target) => {
  const allowed = principal.restrictions?.projectIds;
  if (!allowed) return undefined;
  if (target.project) {
    if (target.project.id !== null && allowed.has(target.project.id)) return undefined;
    return refusal(
      principal,
      'projectRestricted',
      `Access Denied: this personal access token is restricted to the project ids ${[...allowed].join(', ')}; it may not be used for ${target.label} in the project '${target.project.name}'.`,
      { Restriction: 'project', AllowedProjectIds: [...allowed], RequestedProject: target.project.name },
    );
  }
  if (readOnlyMethods.has(target.method ?? 'GET')) return undefined;
  return refusal(
    principal,
    'projectRestricted',
    `Access Denied: this personal access token is restricted to the project ids ${[...allowed].join(', ')}; outside a project it may only read, not ${target.label}.`,
    { Restriction: 'project', AllowedProjectIds: [...allowed] },
  );
};

export const readOnlyRestriction: AuthorizationStep = (principal, target) => {
  if (!principal.restrictions?.readOnly || readOnlyMethods.has(target.method ?? 'GET')) return undefined;
  return refusal(
    principal,
    'readOnlyRestricted',
    `Access Denied: this personal access token is read-only (GET, HEAD and OPTIONS); ${target.label} needs a token that may write.`,
    { Restriction: 'readOnly', AllowedMethods: [...readOnlyMethods], RequestedMethod: target.method ?? null },
  );
};

export const addressRestriction: AuthorizationStep = (principal, target) => {
  const addresses = principal.restrictions?.addresses;
  if (!addresses) return undefined;
  if (target.clientAddress !== undefined && addresses.allows(target.clientAddress)) return undefined;
  return refusal(
    principal,
    'addressRestricted',
    `Access Denied: this personal access token may be used only from ${addresses.ranges.join(', ')}; this request came from ${target.clientAddress ?? 'an unknown address'}.`,
    { Restriction: 'address', AllowedAddresses: [...addresses.ranges], ClientAddress: target.clientAddress ?? null },
  );
};

/** Last, so that a request refused for another reason still tells its caller the whole truth about that reason. */
export const rateRestriction: AuthorizationStep = (principal, target) => {
  const rate = target.rate;
  if (!rate?.exceeded) return undefined;
  return {
    ...refusal(
      principal,
      'rateLimited',
      `This personal access token is limited to ${rate.limit} requests per window; the window starts afresh in ${rate.resetSeconds} seconds.`,
      { Restriction: 'rate', Limit: rate.limit, ResetSeconds: rate.resetSeconds },
    ),
    retryAfterSeconds: rate.resetSeconds,
  };
};

/**
 * The order Azure DevOps reasons in: is this kind of credential accepted here, is it bound to another
 * organization, is its user a member, does it carry the scope. Then a PAT's own restrictions: project,
 * read-only, client address, rate. Policies are further steps appended here.
 */
export const authorizationSteps: readonly AuthorizationStep[] = [
  credentialAccepted,
  organizationRestriction,
  membership,
  scopeCovered,
  projectRestriction,
  readOnlyRestriction,
  addressRestriction,
  rateRestriction,
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
