import { DomainError } from './errors.js';

interface NameRule {
  what: string;
  max: number;
  pattern: RegExp;
  explain: string;
}

const rules = {
  // Azure DevOps organization names: letters, digits and hyphens, not starting or ending with a hyphen.
  organization: {
    what: 'Organization name',
    max: 50,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    explain: 'letters, digits and hyphens, starting and ending with a letter or digit',
  },
  username: {
    what: 'Username',
    max: 64,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/,
    explain: 'letters, digits, dots, hyphens and underscores, starting and ending with a letter or digit',
  },
  // Project names may hold spaces, but not the characters Azure DevOps reserves, nor leading/trailing dots or spaces.
  project: {
    what: 'Project name',
    max: 64,
    pattern: /^(?![. ])(?!_)[^\\/:*?"<>|;#$%+,@'=&{}[\]\p{Cc}]+(?<![. ])$/u,
    explain: 'no \\ / : * ? " < > | ; # $ % + , @ \' = & { } [ ] or control characters, not starting with _ . or a space',
  },
  // Team names follow the project rules (Azure DevOps creates `{project} Team` from the project name).
  team: {
    what: 'Team name',
    max: 128,
    pattern: /^(?![. ])(?!_)[^\\/:*?"<>|;#$%+,@'=&{}[\]\p{Cc}]+(?<![. ])$/u,
    explain: 'no \\ / : * ? " < > | ; # $ % + , @ \' = & { } [ ] or control characters, not starting with _ . or a space',
  },
  // Build definition names and folder segments: Azure DevOps reserves the path and wildcard characters.
  definition: {
    what: 'Build pipeline name',
    max: 260,
    pattern: /^(?! )[^\\/:*?"<>|\p{Cc}]+(?<![ .])$/u,
    explain: 'no \\ / : * ? " < > | or control characters, not starting with a space or ending with a space or a dot',
  },
} satisfies Record<string, NameRule>;

export type NameKind = keyof typeof rules;

/** Checks a name and returns it trimmed of nothing: names are taken exactly as given or refused. */
export function validateName(kind: NameKind, value: string): string {
  const rule = rules[kind];
  if (value.length === 0) throw new DomainError('invalidName', `${rule.what} must not be empty.`);
  if (value.length > rule.max) {
    throw new DomainError('invalidName', `${rule.what} must be at most ${rule.max} characters.`);
  }
  if (!rule.pattern.test(value)) {
    throw new DomainError('invalidName', `${rule.what} "${value}" is invalid: use ${rule.explain}.`);
  }
  return value;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateEmail(value: string): string {
  if (value.length > 254 || !emailPattern.test(value)) {
    throw new DomainError('invalidInput', `Email address "${value}" is invalid.`);
  }
  return value;
}

export function validateDisplayName(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 128 || /\p{Cc}/u.test(trimmed)) {
    throw new DomainError('invalidInput', 'Display name must be 1 to 128 printable characters.');
  }
  return trimmed;
}
