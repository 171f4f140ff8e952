import Type, { type Static, type TSchema, type TUnsafe } from 'typebox';
import { DomainError } from '../../domain/errors.js';

/** A query-string schema: every named parameter an optional string; parameters the server ignores are allowed. */
export function queryParameters(...names: string[]) {
  return Type.Object(Object.fromEntries(names.map((name) => [name, Type.Optional(Type.String())])), {
    additionalProperties: true,
  });
}

/** Marks a query parameter that the router reads into a number or a boolean before the handler runs. */
const coercionKey = 'x-lapis-query';

/** A query parameter holding a non-negative integer: the handler gets a number; anything else is a 400 naming it. */
export const queryInteger = Type.Optional(Type.Unsafe<number>({ [coercionKey]: 'integer' }));

/** A query parameter holding true or false (any case): the handler gets a boolean; anything else is a 400 naming it. */
export const queryBoolean = Type.Optional(Type.Unsafe<boolean>({ [coercionKey]: 'boolean' }));

/**
 * A query-string schema whose `typed` parameters (queryInteger, queryBoolean) reach the handler as numbers and
 * booleans, coerced once by the router (`coerceQuery`); `names` stay optional strings, unknown parameters are allowed.
 */
export function typedQueryParameters<const Names extends readonly string[], const Typed extends Record<string, TSchema>>(
  names: Names,
  typed: Typed,
): TUnsafe<{ [K in Names[number]]?: string } & { [K in keyof Typed]?: Static<Typed[K]> }> {
  const strings = Object.fromEntries(names.map((name) => [name, Type.Optional(Type.String())]));
  return Type.Unsafe(Type.Object({ ...strings, ...typed }, { additionalProperties: true }));
}

/** The query with every parameter the schema marks coerced to its number or boolean (absent when empty). */
export function coerceQuery(schema: TSchema, query: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
  // Not `{ ...query }`: see router.ts on literals led by a spread under Node 20.
  const coerced = Object.assign({}, query);
  for (const [name, property] of Object.entries(properties)) {
    const kind = property[coercionKey];
    if (kind === undefined || query[name] === undefined) continue;
    const value = query[name];
    if (typeof value !== 'string') throw new DomainError('invalidInput', `Give ${name} once, not ${JSON.stringify(value)}.`);
    const read = kind === 'integer' ? optionalInteger(value, name) : optionalBoolean(value, name);
    if (read === undefined) delete coerced[name];
    else coerced[name] = read;
  }
  return coerced;
}

/** An id in a JSON body: Azure DevOps ids are 32-bit, and so are the columns that hold them. */
export const idValue = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });

/** An enum as clients send it in JSON: a name or its number. */
export const enumValue = Type.Union([Type.String(), Type.Integer()]);

export function optionalInteger(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value.trim()))
    throw new DomainError('invalidInput', `${what} must be a non-negative integer, not "${value}".`);
  return Number(value);
}

export function requiredInteger(value: string | undefined, what: string): number {
  const number = optionalInteger(value, what);
  if (number === undefined) throw new DomainError('invalidInput', `${what} is required.`);
  return number;
}

function optionalBoolean(value: string | undefined, what: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new DomainError('invalidInput', `${what} must be true or false, not "${value}".`);
}

/** `{count, value}`, the list envelope every Azure DevOps client expects. */
export function listOf<T>(value: readonly T[], continuationToken?: string) {
  return { body: { count: value.length, value }, ...(continuationToken && { continuationToken }) };
}
