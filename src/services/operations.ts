import type { Operation } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import type { ServiceContext } from './context.js';

/**
 * Azure DevOps answers project changes with an operation to poll. Lapis does the work before answering,
 * so each operation is recorded already finished and polling it returns at once.
 */
export class OperationService {
  constructor(private readonly context: ServiceContext) {}

  async run(organizationId: string, work: () => Promise<unknown>): Promise<Operation> {
    await work();
    const operation: Operation = {
      id: this.context.newId(),
      organizationId,
      status: 'succeeded',
      resultMessage: null,
      createdAt: this.context.clock.now().toISOString(),
    };
    await this.context.store.operations.insert(operation);
    return operation;
  }

  async get(organizationId: string, id: string): Promise<Operation> {
    const operation = await this.context.store.operations.find(organizationId, id);
    if (!operation) throw new DomainError('operationNotFound', `The operation ${id} does not exist.`);
    return operation;
  }
}
