import type { Kysely } from 'kysely';
import type { MetaRepository } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyMetaRepository implements MetaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('lapis_meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setIfAbsent(key: string, value: string): Promise<boolean> {
    const result = await this.db
      .insertInto('lapis_meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
}
