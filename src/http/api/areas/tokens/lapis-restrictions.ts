import Type from 'typebox';
import { DomainError } from '../../../../domain/errors.js';
import { formatRateLimit, type TokenRestrictions } from '../../../../domain/token-restrictions.js';
import type { RestrictionsInput } from '../../../../services/tokens.js';

/**
 * `lapisRestrictions` in the lifecycle API: Lapis's restrictions beside Azure DevOps' own fields, named as the pages
 * and the CLI name them. Any JSON is accepted by the schema and read here, so a wrong shape is refused in band
 * (`invalidLapisRestrictions`) like every other bad field of these requests.
 */
export const lapisRestrictionsField = Type.Optional(Type.Unknown());

function refused(message: string): DomainError {
  return new DomainError('invalidInput', `lapisRestrictions: ${message}`, { field: 'restrictions' });
}

function textList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw refused(`${name} must be a list of strings.`);
  return value;
}

/** The request's restrictions, or undefined when it leaves them alone (absent or null). */
export function restrictionsInput(value: unknown): RestrictionsInput | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw refused('expected an object with projects, readOnly, allowedAddresses and rateLimit.');
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !['projects', 'readOnly', 'allowedAddresses', 'rateLimit'].includes(key));
  if (unknown.length > 0) throw refused(`unknown field ${unknown[0]?.slice(0, 40)}.`);
  const { readOnly, rateLimit } = fields;
  if (readOnly !== undefined && readOnly !== null && typeof readOnly !== 'boolean')
    throw refused('readOnly must be true or false.');
  if (rateLimit !== undefined && rateLimit !== null && typeof rateLimit !== 'string') {
    throw refused('rateLimit must be a count per window such as "60/min", or null.');
  }
  return {
    projects: textList(fields.projects, 'projects'),
    readOnly: readOnly === true,
    allowedAddresses: textList(fields.allowedAddresses, 'allowedAddresses'),
    rateLimit: rateLimit ?? null,
  };
}

/** What GET answers: project ids, the read-only flag, address ranges and the rate as `60/min`; empty when none. */
export function restrictionsView(restrictions: TokenRestrictions | undefined) {
  return {
    projects: [...(restrictions?.projectIds ?? [])],
    readOnly: restrictions?.readOnly ?? false,
    allowedAddresses: [...(restrictions?.allowedAddresses ?? [])],
    rateLimit: restrictions?.rateLimit ? formatRateLimit(restrictions.rateLimit) : null,
  };
}
