import type { PersonalAccessToken } from '../../../domain/entities.js';
import { DomainError } from '../../../domain/errors.js';
import { fullAccessScope, isFullAccess } from '../../../domain/scopes.js';
import { formList, formText } from '../form-body.js';
import { type AccessChoice, allOrganizations, type TokenFormValues } from '../pages/token-form.js';
import { type ExpiryChoice, type ExpiryOptions, keepExpiry, parseExpiry } from '../token-expiry.js';

/** A submitted token form as the service takes it. */
export interface TokenSettings {
  displayName: string;
  scope: string;
  organizationId: string | null;
  expiry: ExpiryChoice;
}

export function newTokenValues(organizationId: string, expiry: ExpiryOptions): TokenFormValues {
  return {
    name: '',
    organization: organizationId,
    expiration: String(expiry.defaultDays),
    customDate: '',
    access: 'custom',
    scopes: [],
  };
}

export function currentTokenValues(token: PersonalAccessToken): TokenFormValues {
  const full = isFullAccess(token.scopes);
  return {
    name: token.displayName,
    organization: token.organizationId ?? allOrganizations,
    expiration: keepExpiry,
    customDate: '',
    access: full ? 'full' : 'custom',
    scopes: full ? [] : token.scopes,
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
  };
}
