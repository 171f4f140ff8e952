import { DomainError } from './errors.js';

/** An Azure DevOps enum: JSON names (camelCase) with their wire numbers. */
export type EnumTable<Name extends string> = Readonly<Record<Name, number>>;

const integer = /^-?\d{1,10}$/;

/**
 * Reads an enum value as clients send it: a name in any case or its number (negative ones included, such as
 * ProjectState `all` = -1), in a query string or a body. `what` names the parameter in the error message.
 */
export function parseEnum<Name extends string>(table: EnumTable<Name>, value: unknown, what: string): Name {
  const names = Object.keys(table) as Name[];
  if (typeof value === 'number' || (typeof value === 'string' && integer.test(value.trim()))) {
    const number = Number(value);
    const found = names.find((name) => table[name] === number);
    if (found) return found;
  } else if (typeof value === 'string') {
    const wanted = value.trim().toLowerCase();
    const found = names.find((name) => name.toLowerCase() === wanted);
    if (found) return found;
  }
  throw new DomainError(
    'invalidInput',
    `The value "${String(value)}" is not valid for ${what}. Valid values: ${names.map((name) => `${name} (${table[name]})`).join(', ')}.`,
  );
}

/** Flag enums: comma-separated names or a number, OR-ed together. */
export function parseFlags<Name extends string>(table: EnumTable<Name>, value: string, what: string): number {
  let mask = 0;
  for (const part of value.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    mask |= /^\d+$/.test(trimmed) ? Number(trimmed) : table[parseEnum(table, trimmed, what)];
  }
  return mask;
}

/** The wire number of a name, matched case-insensitively; undefined when the table has no such name. */
export function enumNumber(table: EnumTable<string>, name: string): number | undefined {
  const wanted = name.toLowerCase();
  const found = Object.keys(table).find((key) => key.toLowerCase() === wanted);
  return found === undefined ? undefined : table[found];
}
