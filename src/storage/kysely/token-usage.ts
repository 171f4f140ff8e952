import type { Kysely } from 'kysely';
import type { TokenUse } from '../../domain/token-usage.js';
import type { TokenUsageRepository } from '../ports.js';
import { inIdSlices } from './id-slices.js';
import type { Database } from './schema.js';

export class KyselyTokenUsageRepository implements TokenUsageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async listFor(tokenIds: readonly string[]): Promise<TokenUse[]> {
    const rows = await inIdSlices(tokenIds, (slice) =>
      this.db.selectFrom('token_usage').selectAll().where('token_id', 'in', slice).execute(),
    );
    return rows.map((row) => ({
      tokenId: row.token_id,
      clientAddress: row.client_address,
      userAgent: row.user_agent,
      firstUsedAt: row.first_used_at,
      lastUsedAt: row.last_used_at,
    }));
  }

  async save(uses: readonly TokenUse[]): Promise<void> {
    if (uses.length === 0) return;
    await this.db
      .insertInto('token_usage')
      .values(
        uses.map((use) => ({
          token_id: use.tokenId,
          client_address: use.clientAddress,
          user_agent: use.userAgent,
          first_used_at: use.firstUsedAt,
          last_used_at: use.lastUsedAt,
        })),
      )
      .onConflict((conflict) =>
        conflict.columns(['token_id', 'client_address']).doUpdateSet((eb) => ({
          user_agent: eb.ref('excluded.user_agent'),
          first_used_at: eb.ref('excluded.first_used_at'),
          last_used_at: eb.ref('excluded.last_used_at'),
        })),
      )
      .execute();
  }

  async remove(uses: readonly Pick<TokenUse, 'tokenId' | 'clientAddress'>[]): Promise<void> {
    for (const use of uses) {
      await this.db
        .deleteFrom('token_usage')
        .where('token_id', '=', use.tokenId)
        .where('client_address', '=', use.clientAddress)
        .execute();
    }
  }
}
