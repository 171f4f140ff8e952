import type { Kysely } from 'kysely';
import type { OrganizationPolicy, PolicyMode, PolicyName } from '../../domain/org-policies.js';
import type { OrganizationPolicyRepository } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyOrganizationPolicyRepository implements OrganizationPolicyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async listAll(): Promise<OrganizationPolicy[]> {
    const rows = await this.db.selectFrom('organization_policies').selectAll().execute();
    return rows.map((row) => ({
      organizationId: row.organization_id,
      policy: row.policy as PolicyName,
      mode: row.mode as PolicyMode,
      maxDays: row.max_days,
      allowedUserIds: JSON.parse(row.allowed_user_ids) as string[],
      updatedAt: row.updated_at,
    }));
  }

  async save(policy: OrganizationPolicy): Promise<void> {
    const values = {
      mode: policy.mode,
      max_days: policy.maxDays,
      allowed_user_ids: JSON.stringify(policy.allowedUserIds),
      updated_at: policy.updatedAt,
    };
    await this.db
      .insertInto('organization_policies')
      .values({ organization_id: policy.organizationId, policy: policy.policy, ...values })
      .onConflict((oc) => oc.columns(['organization_id', 'policy']).doUpdateSet(values))
      .execute();
  }
}
