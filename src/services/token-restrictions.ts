import type { Organization, Project } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import {
  hasRestrictions,
  type PrincipalRestrictions,
  parseRateLimit,
  type RateLimit,
  restrictionLimits,
  type TokenRestrictions,
} from '../domain/token-restrictions.js';
import { addressAllowList, canonicalRange } from './address-ranges.js';

/** Restrictions as pages, the CLI and the lifecycle API give them: project names or ids, ranges, `60/min`. */
export interface RestrictionsInput {
  /** Project names or ids in the token's organization; empty: every project. */
  projects?: readonly string[] | undefined;
  readOnly?: boolean | undefined;
  /** IPv4/IPv6 addresses or CIDR ranges; empty: any address. */
  allowedAddresses?: readonly string[] | undefined;
  /** `60/min`, a parsed rate, or null/empty for none. */
  rateLimit?: string | RateLimit | null | undefined;
}

function rateOf(value: RestrictionsInput['rateLimit']): RateLimit | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  return parseRateLimit(typeof value === 'string' ? value : `${value.limit}/${value.windowSeconds}s`);
}

function distinct(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).map((value) => value.trim()).filter(Boolean))];
}

/** Checks restrictions against the token's organization and turns them into what is stored. */
export async function resolveRestrictions(
  findProject: (organizationId: string, idOrName: string) => Promise<Project | undefined>,
  organization: Organization | undefined,
  input: RestrictionsInput,
): Promise<TokenRestrictions> {
  const projectRefs = distinct(input.projects);
  const ranges = distinct(input.allowedAddresses);
  if (projectRefs.length > restrictionLimits.projects)
    throw new DomainError('invalidInput', `A token may be restricted to at most ${restrictionLimits.projects} projects.`);
  if (ranges.length > restrictionLimits.addressRanges)
    throw new DomainError('invalidInput', `A token may list at most ${restrictionLimits.addressRanges} address ranges.`);
  if (projectRefs.length > 0 && !organization) {
    throw new DomainError(
      'invalidInput',
      'A project restriction needs a token limited to one organization: choose the organization the projects belong to.',
    );
  }
  const projectIds: string[] = [];
  for (const ref of projectRefs) {
    const project = organization && (await findProject(organization.id, ref));
    if (!project) throw new DomainError('projectNotFound', `The organization has no project "${ref.slice(0, 80)}".`);
    if (!projectIds.includes(project.id)) projectIds.push(project.id);
  }
  return {
    projectIds,
    readOnly: input.readOnly === true,
    allowedAddresses: [...new Set(ranges.map(canonicalRange))],
    rateLimit: rateOf(input.rateLimit),
  };
}

/** What the authorization steps read, built once when the token is loaded (and cached with it). */
export function principalRestrictions(restrictions: TokenRestrictions | undefined): PrincipalRestrictions | undefined {
  if (!restrictions || !hasRestrictions(restrictions)) return undefined;
  return {
    projectIds: restrictions.projectIds.length > 0 ? new Set(restrictions.projectIds) : null,
    readOnly: restrictions.readOnly,
    addresses: restrictions.allowedAddresses.length > 0 ? addressAllowList(restrictions.allowedAddresses) : null,
    rateLimit: restrictions.rateLimit,
  };
}
