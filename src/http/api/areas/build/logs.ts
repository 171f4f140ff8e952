import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, operation } from '../../registry.js';
import { listOf, queryParameters, requiredInteger } from '../../values.js';
import { buildSubresource, requireBuild } from './context.js';

/**
 * A build's logs. Lapis runs no agent, so no build has logs: the list is empty and well-formed, and a log id is 404
 * with Azure DevOps' message (the `logs.url` of every build points here).
 */
export const buildLogsLocation: ApiLocation = {
  id: '35a80daf-7f30-45fc-86e8-6b813d9c90df',
  area: 'build',
  resourceName: 'logs',
  routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}/{logId}',
  ...buildSubresource,
  resourceVersion: 2,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: "A build's logs (always an empty list: Lapis runs no agent), or one log by id (404).",
      query: queryParameters('startLine', 'endLine', '$format'),
      async handler(context) {
        const { build } = await requireBuild(context, 'Reading build logs');
        if (context.routeValues.logId === undefined) return listOf([]);
        const logId = requiredInteger(context.routeValues.logId, 'logId');
        throw new DomainError('buildLogNotFound', `Build ${build.id} has no log with id ${logId}.`);
      },
    }),
  },
};
