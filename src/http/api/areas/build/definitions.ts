import Type from 'typebox';
import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { enumValue, listOf, optionalInteger, queryParameters, requiredInteger } from '../../values.js';
import { caller, requireProject } from './context.js';
import { definitionDocument, definitionListItem, loadRelations } from './representation.js';

const anyObject = Type.Record(Type.String(), Type.Unknown());

/** What a client may send for a definition; unknown fields (links, urls, ids it got from a GET) are accepted and ignored. */
const definitionBody = Type.Object({
  name: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
  revision: Type.Optional(Type.Integer()),
  queueStatus: Type.Optional(enumValue),
  buildNumberFormat: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  repository: Type.Optional(anyObject),
  process: Type.Optional(anyObject),
  queue: Type.Optional(anyObject),
  variables: Type.Optional(anyObject),
  triggers: Type.Optional(Type.Array(Type.Unknown())),
  options: Type.Optional(Type.Array(Type.Unknown())),
  demands: Type.Optional(Type.Array(Type.Unknown())),
  retentionRules: Type.Optional(Type.Array(Type.Unknown())),
  properties: Type.Optional(anyObject),
  tags: Type.Optional(Type.Array(Type.String())),
  jobTimeoutInMinutes: Type.Optional(Type.Integer()),
  jobCancelTimeoutInMinutes: Type.Optional(Type.Integer()),
  jobAuthorizationScope: Type.Optional(enumValue),
  badgeEnabled: Type.Optional(Type.Boolean()),
});

function definitionId(context: ApiRequestContext<unknown, unknown>): number {
  return requiredInteger(context.routeValues.definitionId, 'definitionId');
}

export const definitionsLocation: ApiLocation = {
  id: 'dbeaf647-6167-421a-bda9-c9327b25e2e6',
  area: 'build',
  resourceName: 'definitions',
  routeTemplate: '{project}/_apis/{area}/{resource}/{definitionId}',
  minVersion: '2.0',
  maxVersion: '7.1',
  releasedVersion: '7.1',
  resourceVersion: 7,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary:
        'List pipelines (name with * wildcards, queryOrder, $top, continuationToken, definitionIds, path) or get one (revision).',
      query: queryParameters('name', 'queryOrder', '$top', 'continuationToken', 'definitionIds', 'path', 'revision'),
      async handler(context) {
        const { organization } = caller(context);
        const project = requireProject(context, 'Reading pipelines');
        const { definitions } = context.services;
        if (context.routeValues.definitionId !== undefined) {
          const definition = await definitions.get(
            project,
            definitionId(context),
            optionalInteger(context.query.revision, 'revision'),
          );
          const relations = await loadRelations(context, organization, [], [definition]);
          return { body: definitionDocument(definition, relations, context) };
        }
        const page = await definitions.list(project, {
          name: context.query.name,
          queryOrder: context.query.queryOrder,
          top: optionalInteger(context.query.$top, '$top'),
          continuationToken: context.query.continuationToken,
          definitionIds: context.query.definitionIds,
          path: context.query.path,
        });
        const relations = await loadRelations(context, organization, [], page.definitions);
        return listOf(
          page.definitions.map((definition) => definitionListItem(definition, relations, context)),
          page.continuationToken,
        );
      },
    }),
    POST: operation({
      scopes: ['vso.build_execute'],
      summary: 'Create a pipeline.',
      body: definitionBody,
      async handler(context) {
        const { organization, user } = caller(context);
        const project = requireProject(context, 'Creating a pipeline');
        if (context.routeValues.definitionId !== undefined) {
          throw new DomainError('invalidInput', 'Create a pipeline by POSTing to {project}/_apis/build/definitions.');
        }
        const definition = await context.services.definitions.create(project, user, context.body);
        const relations = await loadRelations(context, organization, [], [definition]);
        return { body: definitionDocument(definition, relations, context) };
      },
    }),
    PUT: operation({
      scopes: ['vso.build_execute'],
      summary: 'Replace a pipeline; the body must carry the current revision (else 409).',
      body: definitionBody,
      async handler(context) {
        const { organization, user } = caller(context);
        const project = requireProject(context, 'Updating a pipeline');
        const definition = await context.services.definitions.update(project, definitionId(context), user, context.body);
        const relations = await loadRelations(context, organization, [], [definition]);
        return { body: definitionDocument(definition, relations, context) };
      },
    }),
    DELETE: operation({
      scopes: ['vso.build_execute'],
      summary: 'Delete a pipeline (its builds stay readable).',
      async handler(context) {
        const project = requireProject(context, 'Deleting a pipeline');
        await context.services.definitions.remove(project, definitionId(context));
        return {};
      },
    }),
  },
};
