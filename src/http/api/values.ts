import Type from 'typebox';
import { DomainError } from '../../domain/errors.js';

/** A query-string schema: every named parameter an optional string; parameters the server ignores are allowed. */
export function queryParameters(...names: string[]) {
  return Type.Object(Object.fromEntries(names.map((name) => [name, Type.Optional(Type.String())])), {
    additionalProperties: true,
  });
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

export function optionalBoolean(value: string | undefined, what: string): boolean | undefined {
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
