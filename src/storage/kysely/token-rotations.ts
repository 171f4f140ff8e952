import type { Kysely, Selectable } from 'kysely';
import type { TokenRotation } from '../../domain/token-rotation.js';
import type { TokenRotationRepository } from '../ports.js';
import { inIdSlices } from './id-slices.js';
import type { Database, TokenRotationsTable } from './schema.js';

function toRotation(row: Selectable<TokenRotationsTable>): TokenRotation {
  return {
    tokenId: row.token_id,
    successorId: row.successor_id,
    userId: row.user_id,
    idempotencyKeyHash: row.idempotency_key_hash,
    requestHash: row.request_hash,
    graceSeconds: Number(row.grace_seconds),
    graceEndsAt: row.grace_ends_at,
    successorSealed: row.successor_sealed,
    replayUntil: row.replay_until,
    createdAt: row.created_at,
    endedAt: row.ended_at,
  };
}

export class KyselyTokenRotationRepository implements TokenRotationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(rotation: TokenRotation): Promise<void> {
    await this.db
      .insertInto('token_rotations')
      .values({
        token_id: rotation.tokenId,
        successor_id: rotation.successorId,
        user_id: rotation.userId,
        idempotency_key_hash: rotation.idempotencyKeyHash,
        request_hash: rotation.requestHash,
        grace_seconds: rotation.graceSeconds,
        grace_ends_at: rotation.graceEndsAt,
        successor_sealed: rotation.successorSealed,
        replay_until: rotation.replayUntil,
        created_at: rotation.createdAt,
        ended_at: rotation.endedAt,
      })
      .execute();
  }

  async findByToken(tokenId: string): Promise<TokenRotation | undefined> {
    const row = await this.db.selectFrom('token_rotations').selectAll().where('token_id', '=', tokenId).executeTakeFirst();
    return row && toRotation(row);
  }

  async listUnendedOf(tokenIds: readonly string[]): Promise<TokenRotation[]> {
    const rows = await inIdSlices(tokenIds, (slice) =>
      this.db.selectFrom('token_rotations').selectAll().where('token_id', 'in', slice).where('ended_at', 'is', null).execute(),
    );
    return rows.map(toRotation);
  }

  async findByIdempotencyKey(userId: string, keyHash: string): Promise<TokenRotation | undefined> {
    const row = await this.db
      .selectFrom('token_rotations')
      .selectAll()
      .where('user_id', '=', userId)
      .where('idempotency_key_hash', '=', keyHash)
      .executeTakeFirst();
    return row && toRotation(row);
  }

  async forgetReplays(now: string): Promise<number> {
    const result = await this.db
      .updateTable('token_rotations')
      .set({ successor_sealed: null, idempotency_key_hash: null })
      .where('replay_until', '<=', now)
      .where((eb) => eb.or([eb('successor_sealed', 'is not', null), eb('idempotency_key_hash', 'is not', null)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async listEnded(now: string, limit: number): Promise<TokenRotation[]> {
    const rows = await this.db
      .selectFrom('token_rotations')
      .selectAll()
      .where('ended_at', 'is', null)
      .where('grace_ends_at', '<=', now)
      .orderBy('grace_ends_at')
      .limit(limit)
      .execute();
    return rows.map(toRotation);
  }

  async markEnded(tokenId: string, endedAt: string): Promise<boolean> {
    const result = await this.db
      .updateTable('token_rotations')
      .set({ ended_at: endedAt })
      .where('token_id', '=', tokenId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
