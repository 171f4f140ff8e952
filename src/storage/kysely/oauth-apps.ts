import type { Kysely, Selectable } from 'kysely';
import type { OAuthApp } from '../../domain/oauth.js';
import type { OAuthAppRepository } from '../ports.js';
import type { Database, OAuthAppsTable } from './schema.js';

function toApp(row: Selectable<OAuthAppsTable>): OAuthApp {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    company: row.company,
    website: row.website,
    description: row.description,
    callbackUrls: row.callback_urls.split(' ').filter(Boolean),
    scopes: row.scopes.split(' ').filter(Boolean),
    secretHash: row.secret_hash,
    secretCreatedAt: row.secret_created_at,
    createdAt: row.created_at,
    isPublic: Number(row.is_public) === 1,
  };
}

export class KyselyOAuthAppRepository implements OAuthAppRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(app: OAuthApp): Promise<void> {
    await this.db
      .insertInto('oauth_apps')
      .values({
        id: app.id,
        owner_id: app.ownerId,
        name: app.name,
        company: app.company,
        website: app.website,
        description: app.description,
        callback_urls: app.callbackUrls.join(' '),
        scopes: app.scopes.join(' '),
        secret_hash: app.secretHash,
        secret_created_at: app.secretCreatedAt,
        created_at: app.createdAt,
        is_public: app.isPublic ? 1 : 0,
      })
      .execute();
  }

  async findById(id: string): Promise<OAuthApp | undefined> {
    const row = await this.db.selectFrom('oauth_apps').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
    return row && toApp(row);
  }

  async list(ownerId?: string): Promise<OAuthApp[]> {
    let select = this.db.selectFrom('oauth_apps').selectAll();
    if (ownerId !== undefined) select = select.where('owner_id', '=', ownerId);
    const rows = await select.orderBy('created_at').orderBy('id').execute();
    return rows.map(toApp);
  }

  async setSecretHash(id: string, secretHash: string, secretCreatedAt: string): Promise<void> {
    await this.db
      .updateTable('oauth_apps')
      .set({ secret_hash: secretHash, secret_created_at: secretCreatedAt })
      .where('id', '=', id)
      .execute();
  }

  async setCallbacksAndScopes(id: string, callbackUrls: readonly string[], scopes: readonly string[]): Promise<void> {
    await this.db
      .updateTable('oauth_apps')
      .set({ callback_urls: callbackUrls.join(' '), scopes: scopes.join(' ') })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('oauth_apps').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
