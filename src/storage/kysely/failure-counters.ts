import type { Kysely } from 'kysely';
import type { FailureCounterRepository, FailureWindow } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyFailureCounterRepository implements FailureCounterRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** One upsert, so failures counted at once by several instances are all counted. */
  async increment(key: string, now: string, cutoff: string): Promise<FailureWindow> {
    const row = await this.db
      .insertInto('failure_counters')
      .values({ key, window_started_at: now, failures: 1 })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet((eb) => {
          const expired = eb('failure_counters.window_started_at', '<=', cutoff);
          return {
            failures: eb
              .case()
              .when(expired)
              .then(1)
              .else(eb('failure_counters.failures', '+', 1))
              .end(),
            window_started_at: eb.case().when(expired).then(now).else(eb.ref('failure_counters.window_started_at')).end(),
          };
        }),
      )
      .returning(['failures', 'window_started_at'])
      .executeTakeFirstOrThrow();
    return { failures: Number(row.failures), startedAt: row.window_started_at };
  }

  async find(key: string, cutoff: string): Promise<FailureWindow | undefined> {
    const row = await this.db
      .selectFrom('failure_counters')
      .select(['failures', 'window_started_at'])
      .where('key', '=', key)
      .where('window_started_at', '>', cutoff)
      .executeTakeFirst();
    return row && { failures: Number(row.failures), startedAt: row.window_started_at };
  }

  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('failure_counters').where('key', '=', key).execute();
  }

  async purge(cutoff: string): Promise<void> {
    await this.db.deleteFrom('failure_counters').where('window_started_at', '<=', cutoff).execute();
  }
}
