import type { Kysely } from 'kysely';
import type { LeakSettingsRepository } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyLeakSettingsRepository implements LeakSettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async autoRevoke(organizationId: string): Promise<boolean | undefined> {
    const row = await this.db
      .selectFrom('leak_settings')
      .select('auto_revoke')
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.auto_revoke) === 1;
  }

  async setAutoRevoke(organizationId: string, autoRevoke: boolean): Promise<void> {
    const value = autoRevoke ? 1 : 0;
    await this.db
      .insertInto('leak_settings')
      .values({ organization_id: organizationId, auto_revoke: value })
      .onConflict((oc) => oc.column('organization_id').doUpdateSet({ auto_revoke: value }))
      .execute();
  }
}
