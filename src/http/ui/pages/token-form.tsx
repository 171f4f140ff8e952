import type { ComponentChildren } from 'preact';
import type { Organization } from '../../../domain/entities.js';
import { CheckboxField, TextAreaField, TextField } from '../forms.js';
import { customExpiry, type ExpiryOptions, keepExpiry, presetEnd } from '../token-expiry.js';
import { DateTime } from './date-time.js';
import { ScopeGroupList } from './scope-checkboxes.js';

/** The Organization value of a token for all accessible organizations (organization ids are GUIDs, never this). */
export const allOrganizations = 'all';

export type AccessChoice = 'full' | 'custom';

/** What the token form shows: as submitted, so a refused form comes back as the person left it. */
export interface TokenFormValues {
  name: string;
  /** An organization id, or `allOrganizations`. */
  organization: string;
  /** Days of a preset, `custom`, or `keep` on the edit page. */
  expiration: string;
  customDate: string;
  access: AccessChoice;
  scopes: readonly string[];
  /** Project names, separated by commas. */
  projects: string;
  readOnly: boolean;
  /** Address ranges, one a line (or separated by commas). */
  allowedAddresses: string;
  /** `60/min`, or empty. */
  rateLimit: string;
}

export interface TokenFieldsProps {
  values: TokenFormValues;
  organizations: readonly Organization[];
  expiry: ExpiryOptions;
  /** The edit page offers to keep the current end of validity. */
  currentValidTo?: string | undefined;
}

function Radio({ name, value, checked, label }: { name: string; value: string; checked: boolean; label: ComponentChildren }) {
  const id = `field-${name}-${value}`;
  return (
    <div class="choice">
      <input type="radio" id={id} name={name} value={value} checked={checked} />
      <label for={id}>{label}</label>
    </div>
  );
}

function OrganizationField({ values, organizations }: Pick<TokenFieldsProps, 'values' | 'organizations'>) {
  return (
    <div class="field">
      <label for="field-organization">Organization</label>
      <select id="field-organization" name="organization" aria-describedby="field-organization-hint">
        {organizations.map((organization) => (
          <option key={organization.id} value={organization.id} selected={values.organization === organization.id}>
            {organization.name}
          </option>
        ))}
        <option value={allOrganizations} selected={values.organization === allOrganizations}>
          All accessible organizations
        </option>
      </select>
      <p class="hint" id="field-organization-hint">
        A token for all accessible organizations works in every organization you belong to.
      </p>
    </div>
  );
}

function ExpirationField({ values, expiry, currentValidTo }: Pick<TokenFieldsProps, 'values' | 'expiry' | 'currentValidTo'>) {
  return (
    <fieldset class="field-group">
      <legend>Expiration</legend>
      {currentValidTo && (
        <Radio
          name="expiration"
          value={keepExpiry}
          checked={values.expiration === keepExpiry}
          label={
            <>
              Keep the current expiry (<DateTime value={currentValidTo} />)
            </>
          }
        />
      )}
      {expiry.presets.map((days) => (
        <Radio
          key={days}
          name="expiration"
          value={String(days)}
          checked={values.expiration === String(days)}
          label={`${days} days (until ${presetEnd(expiry, days)})`}
        />
      ))}
      <Radio name="expiration" value={customExpiry} checked={values.expiration === customExpiry} label="Custom date" />
      <div class="field nested">
        <label for="field-customDate">Custom expiry date</label>
        <input
          type="date"
          id="field-customDate"
          name="customDate"
          value={values.customDate}
          min={expiry.earliest}
          max={expiry.latest}
          aria-describedby="field-customDate-hint"
        />
        <p class="hint" id="field-customDate-hint">
          Used with “Custom date”: from {expiry.earliest} to {expiry.latest} (at most {expiry.maxDays} days). The token stops
          working at the start of that day, UTC.
        </p>
      </div>
    </fieldset>
  );
}

function ScopesField({ values }: Pick<TokenFieldsProps, 'values'>) {
  return (
    <fieldset class="field-group">
      <legend>Scopes</legend>
      <p class="hint">Grant only what the tool using this token needs.</p>
      <Radio
        name="access"
        value="full"
        checked={values.access === 'full'}
        label={
          <>
            Full access <span class="badge warn">High privilege</span>
          </>
        }
      />
      <Radio name="access" value="custom" checked={values.access === 'custom'} label="Custom defined" />
      <fieldset class="scope-catalog" data-scope-catalog>
        <legend>Custom scopes</legend>
        <div class="field scope-filter" data-scope-filter hidden>
          <label for="scope-filter">Search scopes</label>
          <input type="search" id="scope-filter" autocomplete="off" aria-describedby="scope-filter-status" />
          <p class="hint" id="scope-filter-status" role="status" />
        </div>
        <ScopeGroupList selected={values.scopes} />
      </fieldset>
    </fieldset>
  );
}

/** Lapis's own limits on a token, beyond Azure DevOps' scopes and organization; every field empty means none. */
function RestrictionsField({ values }: Pick<TokenFieldsProps, 'values'>) {
  return (
    <fieldset class="field-group">
      <legend>Restrictions</legend>
      <p class="hint">Optional. A call outside them is refused with a message that names the restriction.</p>
      <TextField
        label="Projects"
        name="projects"
        value={values.projects}
        autocomplete="off"
        hint="Project names of the chosen organization, separated by commas. Empty: every project. Outside a project the token may only read."
      />
      <CheckboxField label="Read-only: only GET, HEAD and OPTIONS requests" name="readOnly" checked={values.readOnly} />
      <TextAreaField
        label="Allowed client addresses"
        name="allowedAddresses"
        value={values.allowedAddresses}
        rows={3}
        hint="IPv4 or IPv6 addresses or CIDR ranges, one a line, e.g. 203.0.113.0/24 or 2001:db8::/32. Empty: any address."
      />
      <TextField
        label="Rate limit"
        name="rateLimit"
        value={values.rateLimit}
        autocomplete="off"
        hint="Requests per window, such as 60/min, 10/s or 1000/h, counted across every instance. Empty: no limit."
      />
    </fieldset>
  );
}

/** Name, Organization, Expiration, Scopes and Restrictions: the fields of the new and edit forms. */
export function TokenFields(props: TokenFieldsProps) {
  return (
    <>
      <TextField label="Name" name="name" value={props.values.name} required autocomplete="off" />
      <OrganizationField values={props.values} organizations={props.organizations} />
      <ExpirationField values={props.values} expiry={props.expiry} currentValidTo={props.currentValidTo} />
      <ScopesField values={props.values} />
      <RestrictionsField values={props.values} />
    </>
  );
}
