import type { Kysely, Selectable } from 'kysely';
import type { OAuthCode, OAuthGrant, OAuthRefreshToken } from '../../domain/oauth.js';
import type { OAuthGrantRepository } from '../ports.js';
import type { Database, OAuthCodesTable, OAuthGrantsTable, OAuthRefreshTokensTable } from './schema.js';

function toGrant(row: Selectable<OAuthGrantsTable>): OAuthGrant {
  return {
    id: row.id,
    appId: row.app_id,
    userId: row.user_id,
    scopes: row.scopes.split(' ').filter(Boolean),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

function toCode(row: Selectable<OAuthCodesTable>): OAuthCode {
  return {
    codeHash: row.code_hash,
    grantId: row.grant_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

function toRefreshToken(row: Selectable<OAuthRefreshTokensTable>): OAuthRefreshToken {
  return {
    tokenHash: row.token_hash,
    grantId: row.grant_id,
    clientAuthenticated: Number(row.client_authenticated) === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

export class KyselyOAuthGrantRepository implements OAuthGrantRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(grant: OAuthGrant): Promise<void> {
    await this.db
      .insertInto('oauth_grants')
      .values({
        id: grant.id,
        app_id: grant.appId,
        user_id: grant.userId,
        scopes: grant.scopes.join(' '),
        created_at: grant.createdAt,
        revoked_at: grant.revokedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<OAuthGrant | undefined> {
    const row = await this.db.selectFrom('oauth_grants').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
    return row && toGrant(row);
  }

  async listForUser(userId: string): Promise<OAuthGrant[]> {
    const rows = await this.db
      .selectFrom('oauth_grants')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toGrant);
  }

  async listActiveForApp(appId: string): Promise<OAuthGrant[]> {
    const rows = await this.db
      .selectFrom('oauth_grants')
      .selectAll()
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toGrant);
  }

  async revoke(id: string, revokedAt: string): Promise<boolean> {
    const result = await this.db
      .updateTable('oauth_grants')
      .set({ revoked_at: revokedAt })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async insertCode(code: OAuthCode): Promise<void> {
    await this.db
      .insertInto('oauth_codes')
      .values({
        code_hash: code.codeHash,
        grant_id: code.grantId,
        redirect_uri: code.redirectUri,
        code_challenge: code.codeChallenge,
        created_at: code.createdAt,
        expires_at: code.expiresAt,
        used_at: code.usedAt,
      })
      .execute();
  }

  async findCode(codeHash: string): Promise<OAuthCode | undefined> {
    const row = await this.db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
    return row && toCode(row);
  }

  async useCode(codeHash: string, usedAt: string): Promise<boolean> {
    const result = await this.db
      .updateTable('oauth_codes')
      .set({ used_at: usedAt })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteCodesExpiredBefore(time: string): Promise<void> {
    await this.db.deleteFrom('oauth_codes').where('expires_at', '<', time).execute();
  }

  async insertRefreshToken(token: OAuthRefreshToken): Promise<void> {
    await this.db
      .insertInto('oauth_refresh_tokens')
      .values({
        token_hash: token.tokenHash,
        grant_id: token.grantId,
        client_authenticated: token.clientAuthenticated ? 1 : 0,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        used_at: token.usedAt,
      })
      .execute();
  }

  async findRefreshToken(tokenHash: string): Promise<OAuthRefreshToken | undefined> {
    const row = await this.db
      .selectFrom('oauth_refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toRefreshToken(row);
  }

  async useRefreshToken(tokenHash: string, usedAt: string): Promise<boolean> {
    const result = await this.db
      .updateTable('oauth_refresh_tokens')
      .set({ used_at: usedAt })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
