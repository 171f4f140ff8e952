import { Readable } from 'node:stream';
import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, operation } from '../../registry.js';
import { queryParameters } from '../../values.js';
import { decoratedEntry, requireAuditReader, timeWindow } from './audit-query.js';

const downloadQuery = queryParameters('format', 'startTime', 'endTime');

export const downloadLogLocation: ApiLocation = {
  id: 'b7b98a76-04e8-4f4d-ac72-9d46492caaac',
  area: 'audit',
  resourceName: 'downloadLog',
  routeTemplate: '_apis/{area}/{resource}',
  minVersion: '5.0',
  maxVersion: '7.2',
  releasedVersion: '0.0',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.auditlog'],
      query: downloadQuery,
      summary:
        'Export the audit log, streamed page by page: format=json (one array) or jsonl (one entry per line, a Lapis addition); csv is not offered.',
      async handler(context) {
        requireAuditReader(context.principal, context.organization);
        const format = (context.query.format ?? '').toLowerCase();
        if (format !== 'json' && format !== 'jsonl') {
          throw new DomainError(
            'invalidInput',
            `format must be "json" or "jsonl" (csv is not offered), not "${context.query.format ?? ''}".`,
          );
        }
        const window = timeWindow(context.query, context.organization);
        const { audit } = context.services;
        const { organization } = context;
        async function* lines() {
          let first = true;
          if (format === 'json') yield '[';
          for await (const entry of audit.entries(window)) {
            const text = JSON.stringify(decoratedEntry(entry, organization));
            yield format === 'json' ? `${first ? '' : ','}${text}` : `${text}\n`;
            first = false;
          }
          if (format === 'json') yield ']';
        }
        return {
          stream: {
            contentType: format === 'json' ? 'application/json; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
            content: Readable.from(lines()),
          },
        };
      },
    }),
  },
};
