import type { Kysely, Selectable } from 'kysely';
import type { WebSession } from '../../domain/web-session.js';
import type { WebSessionRepository } from '../ports.js';
import type { Database, WebSessionsTable } from './schema.js';

function toWebSession(row: Selectable<WebSessionsTable>): WebSession {
  return {
    id: row.id,
    userId: row.user_id,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
  };
}

export class KyselyWebSessionRepository implements WebSessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(session: WebSession): Promise<void> {
    await this.db
      .insertInto('web_sessions')
      .values({
        id: session.id,
        user_id: session.userId,
        secret_hash: session.secretHash,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
        client_address: session.clientAddress,
        user_agent: session.userAgent,
      })
      .execute();
  }

  async findById(id: string): Promise<WebSession | undefined> {
    const row = await this.db.selectFrom('web_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toWebSession(row);
  }

  async listForUser(userId: string, activeAt: string): Promise<WebSession[]> {
    const rows = await this.db
      .selectFrom('web_sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('expires_at', '>', activeAt)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toWebSession);
  }

  async touch(id: string, lastSeenAt: string): Promise<void> {
    await this.db.updateTable('web_sessions').set({ last_seen_at: lastSeenAt }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('web_sessions').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string, keepId?: string): Promise<number> {
    let query = this.db.deleteFrom('web_sessions').where('user_id', '=', userId);
    if (keepId !== undefined) query = query.where('id', '!=', keepId);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpiredBefore(time: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('expires_at', '<=', time).execute();
  }
}
