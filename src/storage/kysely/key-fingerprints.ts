import type { Kysely } from 'kysely';
import type { KeyFingerprintRepository } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyKeyFingerprintRepository implements KeyFingerprintRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(purpose: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('key_fingerprints')
      .select('fingerprint')
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    return row?.fingerprint;
  }

  async recordIfAbsent(purpose: string, fingerprint: string, at: string): Promise<boolean> {
    const result = await this.db
      .insertInto('key_fingerprints')
      .values({ purpose, fingerprint, recorded_at: at })
      .onConflict((oc) => oc.column('purpose').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async replace(purpose: string, fingerprint: string, at: string): Promise<void> {
    await this.db
      .insertInto('key_fingerprints')
      .values({ purpose, fingerprint, recorded_at: at })
      .onConflict((oc) => oc.column('purpose').doUpdateSet({ fingerprint, recorded_at: at }))
      .execute();
  }
}
