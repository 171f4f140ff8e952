import type { Kysely } from 'kysely';
import type { CounterRepository } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyCounterRepository implements CounterRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** One upsert statement, so concurrent callers on one database never receive the same value. */
  async next(scope: string, name: string): Promise<number> {
    const row = await this.db
      .insertInto('counters')
      .values({ scope, name, value: 1 })
      .onConflict((conflict) => conflict.columns(['scope', 'name']).doUpdateSet({ value: (eb) => eb('counters.value', '+', 1) }))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }
}
