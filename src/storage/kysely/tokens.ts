import type { Kysely, Selectable } from 'kysely';
import type { PersonalAccessToken, User } from '../../domain/entities.js';
import { hasRestrictions, type TokenRestrictions } from '../../domain/token-restrictions.js';
import type { TokenChanges, TokenRepository } from '../ports.js';
import type { Database, PersonalAccessTokensTable } from './schema.js';
import { toUser } from './users.js';

export function toToken(row: Selectable<PersonalAccessTokensTable>): PersonalAccessToken {
  return {
    id: row.id,
    userId: row.user_id,
    displayName: row.display_name,
    scopes: row.scopes.split(' ').filter(Boolean),
    organizationId: row.organization_id,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    tokenHash: row.token_hash,
    ...(row.restrictions !== null && { restrictions: JSON.parse(row.restrictions) as TokenRestrictions }),
  };
}

/** Null when nothing is restricted, so unrestricted rows stay as they were before migration 012. */
function restrictionsColumn(restrictions: TokenRestrictions | undefined): string | null {
  if (!restrictions || !hasRestrictions(restrictions)) return null;
  const { projectIds, readOnly, allowedAddresses, rateLimit } = restrictions;
  return JSON.stringify({ projectIds, readOnly, allowedAddresses, rateLimit });
}

export class KyselyTokenRepository implements TokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: PersonalAccessToken): Promise<void> {
    await this.db
      .insertInto('personal_access_tokens')
      .values({
        id: token.id,
        user_id: token.userId,
        display_name: token.displayName,
        scopes: token.scopes.join(' '),
        organization_id: token.organizationId,
        valid_from: token.validFrom,
        valid_to: token.validTo,
        created_at: token.createdAt,
        revoked_at: token.revokedAt,
        last_used_at: token.lastUsedAt,
        token_hash: token.tokenHash,
        restrictions: restrictionsColumn(token.restrictions),
      })
      .execute();
  }

  async findById(id: string): Promise<PersonalAccessToken | undefined> {
    const row = await this.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('id', '=', id.toLowerCase())
      .executeTakeFirst();
    return row && toToken(row);
  }

  async findByHash(tokenHash: string): Promise<PersonalAccessToken | undefined> {
    const row = await this.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toToken(row);
  }

  async findByHashWithOwner(tokenHash: string): Promise<{ token: PersonalAccessToken; owner: User } | undefined> {
    const row = await this.db
      .selectFrom('personal_access_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .selectAll('t')
      .select([
        'u.username as owner_username',
        'u.display_name as owner_display_name',
        'u.email as owner_email',
        'u.password_hash as owner_password_hash',
        'u.is_admin as owner_is_admin',
        'u.disabled_at as owner_disabled_at',
        'u.created_at as owner_created_at',
      ])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const owner = toUser({
      id: row.user_id,
      username: row.owner_username,
      username_key: row.owner_username.toLowerCase(),
      display_name: row.owner_display_name,
      email: row.owner_email,
      password_hash: row.owner_password_hash,
      is_admin: row.owner_is_admin,
      disabled_at: row.owner_disabled_at,
      created_at: row.owner_created_at,
    });
    return { token: toToken(row), owner };
  }

  async listForUser(userId: string): Promise<PersonalAccessToken[]> {
    const rows = await this.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toToken);
  }

  async listForMembersOf(organizationId: string): Promise<PersonalAccessToken[]> {
    const rows = await this.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('user_id', 'in', (members) =>
        members.selectFrom('organization_members').select('user_id').where('organization_id', '=', organizationId),
      )
      .where((token) => token.or([token('organization_id', 'is', null), token('organization_id', '=', organizationId)]))
      .orderBy('user_id')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toToken);
  }

  async update(id: string, changes: TokenChanges): Promise<void> {
    await this.db
      .updateTable('personal_access_tokens')
      .set({
        ...(changes.displayName !== undefined && { display_name: changes.displayName }),
        ...(changes.scopes !== undefined && { scopes: changes.scopes.join(' ') }),
        ...(changes.organizationId !== undefined && { organization_id: changes.organizationId }),
        ...(changes.validTo !== undefined && { valid_to: changes.validTo }),
        ...(changes.restrictions !== undefined && { restrictions: restrictionsColumn(changes.restrictions) }),
      })
      .where('id', '=', id)
      .execute();
  }

  async revoke(id: string, revokedAt: string): Promise<boolean> {
    const result = await this.db
      .updateTable('personal_access_tokens')
      .set({ revoked_at: revokedAt })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setLastUsed(id: string, lastUsedAt: string): Promise<void> {
    await this.db.updateTable('personal_access_tokens').set({ last_used_at: lastUsedAt }).where('id', '=', id).execute();
  }
}
