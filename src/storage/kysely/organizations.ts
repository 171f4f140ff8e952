import type { Kysely, Selectable } from 'kysely';
import type { Organization } from '../../domain/entities.js';
import type { OrganizationMember, OrganizationRepository } from '../ports.js';
import type { Database, OrganizationsTable } from './schema.js';
import { toUser } from './users.js';

function toOrganization(row: Selectable<OrganizationsTable>): Organization {
  return { id: row.id, name: row.name, ownerId: row.owner_id, createdAt: row.created_at };
}

export class KyselyOrganizationRepository implements OrganizationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(organization: Organization): Promise<void> {
    await this.db
      .insertInto('organizations')
      .values({
        id: organization.id,
        name: organization.name,
        name_key: organization.name.toLowerCase(),
        owner_id: organization.ownerId,
        created_at: organization.createdAt,
      })
      .execute();
  }

  async findById(id: string): Promise<Organization | undefined> {
    const row = await this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOrganization(row);
  }

  async findByName(name: string): Promise<Organization | undefined> {
    const row = await this.db
      .selectFrom('organizations')
      .selectAll()
      .where('name_key', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toOrganization(row);
  }

  async list(): Promise<Organization[]> {
    const rows = await this.db.selectFrom('organizations').selectAll().orderBy('name_key').execute();
    return rows.map(toOrganization);
  }

  async listForMember(userId: string): Promise<Organization[]> {
    const rows = await this.db
      .selectFrom('organizations')
      .innerJoin('organization_members', 'organization_members.organization_id', 'organizations.id')
      .selectAll('organizations')
      .where('organization_members.user_id', '=', userId)
      .orderBy('organizations.name_key')
      .execute();
    return rows.map(toOrganization);
  }

  async membershipsOfMembers(organizationId: string): Promise<{ userId: string; organizationId: string }[]> {
    const rows = await this.db
      .selectFrom('organization_members')
      .select(['user_id', 'organization_id'])
      .where('user_id', 'in', (members) =>
        members.selectFrom('organization_members').select('user_id').where('organization_id', '=', organizationId),
      )
      .execute();
    return rows.map((row) => ({ userId: row.user_id, organizationId: row.organization_id }));
  }

  async addMember(organizationId: string, userId: string, addedAt: string): Promise<void> {
    await this.db
      .insertInto('organization_members')
      .values({ organization_id: organizationId, user_id: userId, added_at: addedAt })
      .execute();
  }

  async removeMember(organizationId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('organization_members')
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async isMember(organizationId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('organization_members')
      .select('user_id')
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async listMembers(organizationId: string): Promise<OrganizationMember[]> {
    const rows = await this.db
      .selectFrom('organization_members')
      .innerJoin('users', 'users.id', 'organization_members.user_id')
      .selectAll('users')
      .select('organization_members.added_at')
      .where('organization_members.organization_id', '=', organizationId)
      .orderBy('users.username_key')
      .execute();
    return rows.map((row) => ({ user: toUser(row), addedAt: row.added_at }));
  }
}
