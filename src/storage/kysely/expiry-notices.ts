import type { Kysely } from 'kysely';
import type { PersonalAccessToken } from '../../domain/entities.js';
import type { ExpiryNoticeRepository } from '../ports.js';
import type { Database } from './schema.js';
import { toToken } from './tokens.js';

export class KyselyExpiryNoticeRepository implements ExpiryNoticeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async tokensExpiringBetween(after: string, until: string): Promise<PersonalAccessToken[]> {
    const rows = await this.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('valid_to', '>', after)
      .where('valid_to', '<=', until)
      // A rotated token ends on the schedule its owner chose when rotating: that end is not news to them.
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('token_rotations').select('token_id').whereRef('token_id', '=', 'personal_access_tokens.id'))),
      )
      .orderBy('valid_to')
      .execute();
    return rows.map(toToken);
  }

  async recordIfAbsent(tokenId: string, days: number, sentAt: string): Promise<boolean> {
    const result = await this.db
      .insertInto('token_expiry_notices')
      .values({ token_id: tokenId, days, sent_at: sentAt })
      .onConflict((oc) => oc.columns(['token_id', 'days']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
}
