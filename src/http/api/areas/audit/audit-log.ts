import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, operation } from '../../registry.js';
import { queryBoolean, queryInteger, typedQueryParameters } from '../../values.js';
import { decoratedEntry, requireAuditReader, timeWindow } from './audit-query.js';

const defaultBatchSize = 200;
const maxBatchSize = 1000;

const auditLogQuery = typedQueryParameters(['startTime', 'endTime', 'continuationToken'], {
  batchSize: queryInteger,
  skipAggregation: queryBoolean,
});

export const auditLogLocation: ApiLocation = {
  id: '4e5fa14f-7097-4b73-9c85-00abc7353c61',
  area: 'audit',
  resourceName: 'auditLog',
  routeTemplate: '_apis/{area}/{resource}',
  minVersion: '5.0',
  maxVersion: '7.2',
  releasedVersion: '0.0',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.auditlog'],
      query: auditLogQuery,
      summary:
        "Query the organization's audit log, newest first (owner and server administrators): startTime, endTime, batchSize, continuationToken.",
      async handler(context) {
        requireAuditReader(context.principal, context.organization);
        const window = timeWindow(context.query, context.organization);
        const batchSize = context.query.batchSize ?? defaultBatchSize;
        if (batchSize < 1 || batchSize > maxBatchSize) {
          throw new DomainError('invalidInput', `batchSize must be from 1 to ${maxBatchSize}, not ${batchSize}.`);
        }
        // skipAggregation is checked by the schema; Lapis never aggregates entries, so it has nothing to skip.
        const before = context.query.continuationToken || undefined;
        const page = await context.services.audit.page({ ...window, before }, batchSize);
        return {
          body: {
            decoratedAuditLogEntries: page.entries.map((entry) => decoratedEntry(entry, context.organization)),
            continuationToken: page.continuation ?? null,
            hasMore: page.continuation !== undefined,
          },
        };
      },
    }),
  },
};
