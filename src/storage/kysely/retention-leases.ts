import type { Kysely, Selectable } from 'kysely';
import type { RetentionLease } from '../../domain/builds.js';
import type { RetentionLeaseFilter, RetentionLeaseRepository } from '../ports.js';
import type { Database, RetentionLeasesTable } from './schema.js';

function toLease(row: Selectable<RetentionLeasesTable>): RetentionLease {
  return {
    organizationId: row.organization_id,
    id: Number(row.id),
    projectId: row.project_id,
    definitionId: Number(row.definition_id),
    runId: Number(row.run_id),
    ownerId: row.owner_id,
    createdOn: row.created_on,
    validUntil: row.valid_until,
    protectPipeline: Number(row.protect_pipeline) === 1,
  };
}

function toRow(lease: RetentionLease): RetentionLeasesTable {
  return {
    organization_id: lease.organizationId,
    id: lease.id,
    project_id: lease.projectId,
    definition_id: lease.definitionId,
    run_id: lease.runId,
    owner_id: lease.ownerId,
    created_on: lease.createdOn,
    valid_until: lease.validUntil,
    protect_pipeline: lease.protectPipeline ? 1 : 0,
  };
}

export class KyselyRetentionLeaseRepository implements RetentionLeaseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(lease: RetentionLease): Promise<void> {
    await this.db.insertInto('retention_leases').values(toRow(lease)).execute();
  }

  async update(lease: RetentionLease): Promise<void> {
    const { organization_id, id, ...changes } = toRow(lease);
    await this.db
      .updateTable('retention_leases')
      .set(changes)
      .where('organization_id', '=', organization_id)
      .where('id', '=', id)
      .execute();
  }

  async list(filter: RetentionLeaseFilter): Promise<RetentionLease[]> {
    let select = this.db
      .selectFrom('retention_leases')
      .selectAll()
      .where('organization_id', '=', filter.organizationId)
      .where('project_id', '=', filter.projectId);
    if (filter.ids) select = select.where('id', 'in', filter.ids.length > 0 ? [...filter.ids] : [-1]);
    if (filter.runId !== undefined) select = select.where('run_id', '=', filter.runId);
    if (filter.definitionId !== undefined) select = select.where('definition_id', '=', filter.definitionId);
    if (filter.ownerId !== undefined) select = select.where('owner_id', '=', filter.ownerId);
    const rows = await select.orderBy('id').execute();
    return rows.map(toLease);
  }

  async delete(organizationId: string, projectId: string, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .deleteFrom('retention_leases')
      .where('organization_id', '=', organizationId)
      .where('project_id', '=', projectId)
      .where('id', 'in', [...ids])
      .execute();
  }

  async holds(organizationId: string, runId: number, now: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('retention_leases')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('run_id', '=', runId)
      .where('valid_until', '>', now)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
