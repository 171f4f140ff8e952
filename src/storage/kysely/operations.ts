import type { Kysely } from 'kysely';
import type { Operation } from '../../domain/entities.js';
import type { OperationRepository } from '../ports.js';
import type { Database } from './schema.js';

export class KyselyOperationRepository implements OperationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(operation: Operation): Promise<void> {
    await this.db
      .insertInto('operations')
      .values({
        id: operation.id,
        organization_id: operation.organizationId,
        status: operation.status,
        result_message: operation.resultMessage,
        created_at: operation.createdAt,
      })
      .execute();
  }

  async find(organizationId: string, id: string): Promise<Operation | undefined> {
    const row = await this.db
      .selectFrom('operations')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id.toLowerCase())
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        organizationId: row.organization_id,
        status: row.status as Operation['status'],
        resultMessage: row.result_message,
        createdAt: row.created_at,
      }
    );
  }
}
