import { createHash } from 'node:crypto';
import { Kysely } from 'kysely';
import type { Database } from '../kysely/schema.js';
import { createKyselyStore, type KyselyStore } from '../kysely/store.js';
import { StorageUnavailableError } from '../ports.js';
import { PostgresChangeFeed } from './change-feed.js';
import { pgDriver } from './driver.js';
import { postgresErrorTranslator } from './errors.js';
import { SchemaPostgresDialect } from './schema-introspector.js';

/** Describes a URL for humans without its password. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.username ? `${parsed.username}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres://(invalid URL)';
  }
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

/** A channel name within PostgreSQL's 63-byte identifier limit, one per schema. */
function changeChannel(schema: string | undefined): string {
  const name = `lapis_changes${schema ? `_${schema}` : ''}`;
  return name.length <= 63 ? name : `lapis_changes_${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

export function openPostgresStore(requested: PostgresStoreOptions): KyselyStore {
  const fromUrl = splitSchema(requested.url);
  const options = { ...requested, url: fromUrl.url, schema: requested.schema ?? fromUrl.schema };
  const location = describePostgresUrl(options.url) + (options.schema ? ` (schema ${options.schema})` : '');
  const translate = postgresErrorTranslator(location);
  const pool = new (pgDriver().Pool)({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    // A server that vanished without closing the socket (failover, a cut network) is noticed, not waited on forever.
    keepAlive: true,
    ...(options.schema && { options: `-c search_path=${options.schema}` }),
  });
  // A client whose server ends the connection (restart, failover, pg_terminate_backend) emits 'error'; an
  // unheard 'error' ends the process. The pool listens only while a client is idle, so every client gets a
  // listener of its own for its whole life. The query it was running fails and becomes a 503; the pool drops
  // the broken client on release and connects afresh on the next checkout, which is how Lapis recovers.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  if (options.schema && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new StorageUnavailableError(`invalid schema name ${options.schema}`);
  }
  const db = new Kysely<Database>({ dialect: new SchemaPostgresDialect({ pool }, options.schema) });
  const changes = new PostgresChangeFeed({
    client: { connectionString: options.url, connectionTimeoutMillis: 5_000, keepAlive: true },
    channel: changeChannel(options.schema),
    pool,
    translate,
  });
  return createKyselyStore({
    db,
    kind: 'postgres',
    location,
    translate,
    ...(options.schema && { schema: options.schema }),
    changes,
    publisherIn: (trx) => changes.publisherIn(trx),
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    onClose: () => changes.close(),
  });
}
