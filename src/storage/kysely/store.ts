import { DEFAULT_MIGRATION_TABLE, type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Dialect, MigrationFiles } from '../migrations/dialect.js';
import { migrations } from '../migrations/index.js';
import {
  type AuditRepository,
  type ChangeFeed,
  type ChangePublisher,
  DuplicateKeyError,
  type PoolUse,
  type Repositories,
  type Store,
} from '../ports.js';
import { KyselyAuditRepository } from './audit.js';
import { KyselyBuildDefinitionRepository } from './build-definitions.js';
import { KyselyBuildFolderRepository } from './build-folders.js';
import { KyselyBuildTagRepository } from './build-tags.js';
import { KyselyBuildRepository } from './builds.js';
import { KyselyCounterRepository } from './counters.js';
import { KyselyExpiryNoticeRepository } from './expiry-notices.js';
import { KyselyFailureCounterRepository } from './failure-counters.js';
import { KyselyKeyFingerprintRepository } from './key-fingerprints.js';
import { KyselyLeakSettingsRepository } from './leak-settings.js';
import { KyselyMetaRepository } from './meta.js';
import { KyselyOAuthAppRepository } from './oauth-apps.js';
import { KyselyOAuthGrantRepository } from './oauth-grants.js';
import { KyselyOperationRepository } from './operations.js';
import { KyselyOrganizationPolicyRepository } from './organization-policies.js';
import { KyselyOrganizationRepository } from './organizations.js';
import { KyselyProjectPropertyRepository } from './project-properties.js';
import { KyselyProjectRepository } from './projects.js';
import { KyselyRetentionLeaseRepository } from './retention-leases.js';
import { KyselyRevocationRuleRepository } from './revocation-rules.js';
import type { Database } from './schema.js';
import { KyselyTeamRepository } from './teams.js';
import { KyselyTokenRotationRepository } from './token-rotations.js';
import { KyselyTokenUsageRepository } from './token-usage.js';
import { KyselyTokenRepository } from './tokens.js';
import { KyselyUserRepository } from './users.js';
import { KyselyWebSessionRepository } from './web-sessions.js';
import { KyselyWebhookDeliveryRepository } from './webhook-deliveries.js';
import { KyselyWebhookRepository } from './webhooks.js';

/** Maps a driver error to a storage error, or returns it unchanged. */
export type ErrorTranslator = (error: unknown) => unknown;

/** Wraps every method so driver errors surface as the storage errors of ports.ts. */
function guard<T extends object>(target: T, translate: ErrorTranslator): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(object, args);
        } catch (error) {
          throw translate(error);
        }
      };
    },
  });
}

function repositoriesFor(
  db: Kysely<Database>,
  translate: ErrorTranslator,
  changes: ChangePublisher,
  audit: AuditRepository | undefined,
): Repositories {
  return {
    changes,
    users: guard(new KyselyUserRepository(db), translate),
    organizations: guard(new KyselyOrganizationRepository(db), translate),
    projects: guard(new KyselyProjectRepository(db), translate),
    meta: guard(new KyselyMetaRepository(db), translate),
    keyFingerprints: guard(new KyselyKeyFingerprintRepository(db), translate),
    tokens: guard(new KyselyTokenRepository(db), translate),
    tokenUsage: guard(new KyselyTokenUsageRepository(db), translate),
    tokenRotations: guard(new KyselyTokenRotationRepository(db), translate),
    revocationRules: guard(new KyselyRevocationRuleRepository(db), translate),
    oauthApps: guard(new KyselyOAuthAppRepository(db), translate),
    oauthGrants: guard(new KyselyOAuthGrantRepository(db), translate),
    counters: guard(new KyselyCounterRepository(db), translate),
    failureCounters: guard(new KyselyFailureCounterRepository(db), translate),
    operations: guard(new KyselyOperationRepository(db), translate),
    definitions: guard(new KyselyBuildDefinitionRepository(db), translate),
    builds: guard(new KyselyBuildRepository(db), translate),
    retentionLeases: guard(new KyselyRetentionLeaseRepository(db), translate),
    folders: guard(new KyselyBuildFolderRepository(db), translate),
    webSessions: guard(new KyselyWebSessionRepository(db), translate),
    teams: guard(new KyselyTeamRepository(db), translate),
    projectProperties: guard(new KyselyProjectPropertyRepository(db), translate),
    buildTags: guard(new KyselyBuildTagRepository(db), translate),
    webhooks: guard(new KyselyWebhookRepository(db), translate),
    webhookDeliveries: guard(new KyselyWebhookDeliveryRepository(db), translate),
    expiryNotices: guard(new KyselyExpiryNoticeRepository(db), translate),
    leakSettings: guard(new KyselyLeakSettingsRepository(db), translate),
    audit: guard(audit ?? new KyselyAuditRepository(db), translate),
    organizationPolicies: guard(new KyselyOrganizationPolicyRepository(db), translate),
  };
}

function providerFor(dialect: Dialect, files: MigrationFiles): MigrationProvider {
  return {
    async getMigrations() {
      const result: Record<string, Migration> = {};
      for (const migration of migrations) {
        result[migration.name] = { up: (db) => migration.up(db, dialect, files) };
      }
      return result;
    },
  };
}

export interface KyselyStoreOptions {
  db: Kysely<Database>;
  kind: Dialect;
  location: string;
  translate: ErrorTranslator;
  /** PostgreSQL schema holding the tables; the migrator must look there, not at the first schema it finds. */
  schema?: string;
  onClose?: () => Promise<void>;
  changes: ChangeFeed;
  /**
   * The audit log when it is not in `db` (SQLite keeps it in a file of its own, storage/sqlite/audit-log-file.ts);
   * transactions share it, as it cannot take part in theirs.
   */
  audit?: AuditRepository;
  migrationFiles?: MigrationFiles;
  /** The publisher bound to a transaction, so a notice leaves with the commit. */
  publisherIn(trx: Kysely<Database>): ChangePublisher;
  poolUse?: () => PoolUse;
}

export interface KyselyStore extends Store {
  /** The query builder, for backend-specific work such as benchmarks' bulk loads. */
  readonly kysely: Kysely<Database>;
}

export function createKyselyStore(options: KyselyStoreOptions): KyselyStore {
  const { db, kind, location, translate, schema, onClose, changes, publisherIn, audit } = options;
  return {
    ...repositoriesFor(db, translate, changes, audit),
    changes,
    poolUse: () => options.poolUse?.(),
    kind,
    location,
    kysely: db,
    async migrate() {
      if (schema) {
        try {
          await db.schema.createSchema(schema).ifNotExists().execute();
        } catch (error) {
          // Two instances creating the schema together: the slower one meets a unique violation, and the schema exists.
          const translated = translate(error);
          if (!(translated instanceof DuplicateKeyError)) throw translated;
        }
      }
      const migrator = new Migrator({
        db,
        provider: providerFor(kind, options.migrationFiles ?? {}),
        ...(schema && { migrationTableSchema: schema }),
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw translate(error);
      return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
    },
    async initialized() {
      const catalog =
        kind === 'postgres'
          ? sql`select 1 from information_schema.tables
                where table_schema = coalesce(${schema ?? null}, current_schema()) and table_name = ${DEFAULT_MIGRATION_TABLE}`
          : sql`select 1 from sqlite_master where type = 'table' and name = ${DEFAULT_MIGRATION_TABLE}`;
      try {
        return (await catalog.execute(db)).rows.length > 0;
      } catch (error) {
        throw translate(error);
      }
    },
    async transaction(work) {
      try {
        return await db
          .transaction()
          .execute((trx) => work(repositoriesFor(trx, translate, guard(publisherIn(trx), translate), audit)));
      } catch (error) {
        throw translate(error);
      }
    },
    async ping() {
      try {
        await db.selectFrom('lapis_meta').select('key').limit(1).execute();
      } catch (error) {
        throw translate(error);
      }
    },
    async close() {
      await db.destroy();
      await onClose?.();
    },
  };
}
