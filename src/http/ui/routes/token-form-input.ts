import type { PersonalAccessToken } from '../../../domain/entities.js';
import { DomainError } from '../../../domain/errors.js';
import { fullAccessScope, isFullAccess } from '../../../domain/scopes.js';
import { formatRateLimit } from '../../../domain/token-restrictions.js';
import type { RestrictionsInput } from '../../../services/tokens.js';
import { formFlag, formList, formText } from '../form-body.js';
import { type AccessChoice, allOrganizations, type TokenFormValues } from '../pages/token-form.js';
import { type ExpiryChoice, type ExpiryOptions, keepExpiry, parseExpiry } from '../token-expiry.js';

/** A submitted token form as the service takes it. */
export interface TokenSettings {
  displayName: string;
  scope: string;
  organizationId: string | null;
  expiry: ExpiryChoice;
  restrictions: RestrictionsInput;
}

const noRestrictionValues = { projects: '', readOnly: false, allowedAddresses: '', rateLimit: '' };

function entries(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export function newTokenValues(organizationId: string, expiry: ExpiryOptions): TokenFormValues {
  return {
    name: '',
    organization: organizationId,
    expiration: String(expiry.defaultDays),
    customDate: '',
    access: 'custom',
    scopes: [],
    ...noRestrictionValues,
  };
}

/** The token's settings as its edit form shows them; project ids become names through `projectNames`. */
export function currentTokenValues(token: PersonalAccessToken, projectNames: ReadonlyMap<string, string>): TokenFormValues {
  const full = isFullAccess(token.scopes);
  const restrictions = token.restrictions;
  return {
    name: token.displayName,
    organization: token.organizationId ?? allOrganizations,
    expiration: keepExpiry,
    customDate: '',
    access: full ? 'full' : 'custom',
    scopes: full ? [] : token.scopes,
    ...(restrictions
      ? {
          projects: restrictions.projectIds.map((id) => projectNames.get(id) ?? id).join(', '),
          readOnly: restrictions.readOnly,
          allowedAddresses: restrictions.allowedAddresses.join('\n'),
          rateLimit: restrictions.rateLimit ? formatRateLimit(restrictions.rateLimit) : '',
        }
      : noRestrictionValues),
  };
}

export function readTokenForm(body: unknown): TokenFormValues {
  const access: AccessChoice = formText(body, 'access') === 'full' ? 'full' : 'custom';
  return {
    name: formText(body, 'name'),
    organization: formText(body, 'organization'),
    expiration: formText(body, 'expiration'),
    customDate: formText(body, 'customDate'),
    access,
    scopes: formList(body, 'scope'),
    projects: formText(body, 'projects'),
    readOnly: formFlag(body, 'readOnly'),
    allowedAddresses: formText(body, 'allowedAddresses'),
    rateLimit: formText(body, 'rateLimit'),
  };
}

/** Throws a DomainError (shown on the form) for an expiry outside the choices; names and scopes are the service's to check. */
export function tokenSettings(values: TokenFormValues, expiry: ExpiryOptions, allowKeep: boolean): TokenSettings {
  if (values.access === 'custom' && values.scopes.length === 0) {
    throw new DomainError('invalidInput', 'Choose at least one scope, or choose Full access.');
  }
  return {
    displayName: values.name,
    // Boxes left ticked under Custom defined do not count once Full access is chosen.
    scope: values.access === 'full' ? fullAccessScope : values.scopes.join(' '),
    organizationId: values.organization === allOrganizations ? null : values.organization,
    expiry: parseExpiry(expiry, values.expiration, values.customDate, allowKeep),
    restrictions: {
      projects: entries(values.projects, /,/),
      readOnly: values.readOnly,
      allowedAddresses: entries(values.allowedAddresses, /[\s,]+/),
      rateLimit: values.rateLimit,
    },
  };
}
