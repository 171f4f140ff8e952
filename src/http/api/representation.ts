import { setImmediate } from 'node:timers/promises';
import type { FastifyRequest } from 'fastify';
import { type EnumTable, enumNumber } from '../../domain/enums.js';
import { acceptParameters } from './api-version.js';
import { itemsPerSlice } from './slices.js';

/**
 * The `Accept` options of Azure DevOps' JSON formatter. The fetch-based official client
 * (`azure-devops-extension-api`) sends all four and reads the answer accordingly.
 */
export interface ResponseFormat {
  /** Leave out `url` properties (links in `_links` stay). */
  excludeUrls: boolean;
  /** Enums as their numbers instead of their camelCase names. */
  enumsAsNumbers: boolean;
  /** Dates as `"\/Date(ms)\/"`. */
  msDateFormat: boolean;
  /** Lists as bare arrays instead of `{count, value}`. */
  noArrayWrap: boolean;
}

/**
 * Where an answer holds enum values: dotted property paths (arrays are walked through) relative to the
 * resource, that is the body or, for a list, each element. `definition.type` is the `type` of `definition`.
 */
export type EnumFields = Readonly<Record<string, EnumTable<string>>>;

export function responseFormat(request: FastifyRequest): ResponseFormat {
  const parameters = acceptParameters(request);
  const on = (name: string) => parameters.get(name.toLowerCase())?.toLowerCase() === 'true';
  return {
    excludeUrls: on('excludeUrls'),
    enumsAsNumbers: on('enumsAsNumbers'),
    msDateFormat: on('msDateFormat'),
    noArrayWrap: on('noArrayWrap'),
  };
}

/** Timestamps as Lapis writes them (`toISOString`); only these are dates, so a name that looks like one stays text. */
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface ListEnvelope {
  count: number;
  value: unknown[];
}

function isList(body: unknown): body is ListEnvelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  return keys.length === 2 && keys.includes('count') && Array.isArray((body as ListEnvelope).value);
}

function convertEnums(value: unknown, path: readonly string[], table: EnumTable<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => convertEnums(item, path, table));
  if (path.length === 0) return typeof value === 'string' ? (enumNumber(table, value) ?? value) : value;
  if (typeof value !== 'object' || value === null) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (!(head in value)) return value;
  return { ...value, [head]: convertEnums((value as Record<string, unknown>)[head], rest, table) };
}

function rewrite(value: unknown, format: ResponseFormat): unknown {
  if (typeof value === 'string') {
    return format.msDateFormat && isoTimestamp.test(value) ? `/Date(${Date.parse(value)})/` : value;
  }
  if (Array.isArray(value)) return value.map((item) => rewrite(item, format));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).filter(
    ([key, item]) => !(format.excludeUrls && key === 'url' && typeof item === 'string'),
  );
  return Object.fromEntries(entries.map(([key, item]) => [key, rewrite(item, format)]));
}

/**
 * A resource whose JSON text in the plain representation (no Accept option changes it) a renderer wrote ahead, the
 * way a response schema would; every other representation is made from `document()` as for any other resource.
 */
export class PrerenderedResource {
  constructor(
    readonly plainJson: string,
    readonly document: () => unknown,
  ) {}
}

/** The JSON text of one resource (not a list envelope) in the representation the request asked for. */
function serializeResource(item: unknown, format: ResponseFormat, enums: EnumFields | undefined): string {
  const convertsEnums = format.enumsAsNumbers && enums !== undefined;
  if (item instanceof PrerenderedResource && !convertsEnums && !format.msDateFormat && !format.excludeUrls) {
    return item.plainJson;
  }
  const resource = item instanceof PrerenderedResource ? item.document() : item;
  let converted = resource;
  if (convertsEnums) {
    converted = Object.entries(enums).reduce((current, [path, table]) => convertEnums(current, path.split('.'), table), resource);
  }
  if (!format.msDateFormat && !format.excludeUrls) return JSON.stringify(converted);
  const text = JSON.stringify(rewrite(converted, format));
  // The client recognises only the escaped form `"\/Date(…)\/"`; `\/` is a plain `/` to every other JSON reader.
  return format.msDateFormat ? text.replace(/"\/Date\((-?\d+)\)\/"/g, '"\\/Date($1)\\/"') : text;
}

/** The JSON text of an answer in the representation the request asked for. */
export function serializeBody(body: unknown, format: ResponseFormat, enums: EnumFields | undefined): string {
  if (!isList(body)) return serializeResource(body, format, enums);
  const items = body.value.map((item) => serializeResource(item, format, enums)).join(',');
  return format.noArrayWrap ? `[${items}]` : `{"count":${body.count},"value":[${items}]}`;
}

/** Lists longer than this are serialised in slices and streamed, so one large answer never holds the event loop. */
export const streamedListLength = itemsPerSlice;

/** A list answer whose items are serialised in slices, yielding the event loop between them. */
export function isStreamedList(body: unknown): body is ListEnvelope {
  return isList(body) && body.value.length > streamedListLength;
}

/** The JSON text of a long list, a slice of items at a time; the socket takes each slice as it is produced. */
export async function* serializeListInSlices(
  body: ListEnvelope,
  format: ResponseFormat,
  enums: EnumFields | undefined,
): AsyncGenerator<string> {
  let text = format.noArrayWrap ? '[' : `{"count":${body.count},"value":[`;
  for (let i = 0; i < body.value.length; i++) {
    if (i > 0 && i % itemsPerSlice === 0) {
      yield text;
      text = '';
      await setImmediate();
    }
    text += (i > 0 ? ',' : '') + serializeResource(body.value[i], format, enums);
  }
  yield text + (format.noArrayWrap ? ']' : ']}');
}
