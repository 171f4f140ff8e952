import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../kysely/schema.js';
import { createKyselyStore, type KyselyStore } from '../kysely/store.js';
import { DuplicateKeyError, StorageUnavailableError } from '../ports.js';

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN']);

/** Describes a URL for humans without its password. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.username ? `${parsed.username}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres://(invalid URL)';
  }
}

function translatorFor(location: string) {
  return (error: unknown): unknown => {
    const code = (error as { code?: unknown }).code;
    if (code === '23505') return new DuplicateKeyError((error as Error).message);
    if (
      typeof code === 'string' &&
      (connectionErrorCodes.has(code) || code === '3D000' || code === '28P01' || code === '28000')
    ) {
      const reason = code === '3D000' ? 'database does not exist' : code.startsWith('28') ? 'authentication failed' : code;
      return new StorageUnavailableError(`cannot connect to PostgreSQL at ${location}: ${reason}`);
    }
    if (error instanceof Error && /timeout exceeded when trying to connect|Connection terminated/i.test(error.message)) {
      return new StorageUnavailableError(`cannot connect to PostgreSQL at ${location}: ${error.message}`);
    }
    return error;
  };
}

export interface PostgresStoreOptions {
  url: string;
  /** Schema to work in (created if missing); also read from the URL's `?schema=`. Tests use one per run. */
  schema?: string;
  poolSize?: number;
}

/** Splits the Lapis-specific `?schema=` parameter off a PostgreSQL URL. */
function splitSchema(url: string): { url: string; schema?: string } {
  try {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    if (!schema) return { url };
    parsed.searchParams.delete('schema');
    return { url: parsed.toString(), schema };
  } catch {
    return { url };
  }
}

export function openPostgresStore(requested: PostgresStoreOptions): KyselyStore {
  const fromUrl = splitSchema(requested.url);
  const options = { ...requested, url: fromUrl.url, schema: requested.schema ?? fromUrl.schema };
  const location = describePostgresUrl(options.url) + (options.schema ? ` (schema ${options.schema})` : '');
  const translate = translatorFor(location);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(options.schema && { options: `-c search_path=${options.schema}` }),
  });
  // An idle client that loses its server emits 'error'; without a listener that would end the process.
  pool.on('error', () => {});
  if (options.schema && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new StorageUnavailableError(`invalid schema name ${options.schema}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return createKyselyStore({ db, kind: 'postgres', location, translate, ...(options.schema && { schema: options.schema }) });
}
