import type { Kysely } from 'kysely';
import type { RevocationRule } from '../../domain/revocation-rules.js';
import type { RevocationRuleRepository } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyRevocationRuleRepository implements RevocationRuleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(rule: RevocationRule): Promise<void> {
    await this.db
      .insertInto('pat_revocation_rules')
      .values({
        id: rule.id,
        organization_id: rule.organizationId,
        scopes: rule.scopes.join(' '),
        created_before: rule.createdBefore,
        created_by: rule.createdBy,
        created_at: rule.createdAt,
      })
      .execute();
  }

  async listAll(): Promise<RevocationRule[]> {
    const rows = await this.db.selectFrom('pat_revocation_rules').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      scopes: row.scopes.split(' ').filter(Boolean),
      createdBefore: row.created_before,
      createdBy: row.created_by,
      createdAt: row.created_at,
    }));
  }
}
