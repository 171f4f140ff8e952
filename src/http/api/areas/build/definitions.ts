import Type from 'typebox';
import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { enumValue, listOf, queryBoolean, queryInteger, requiredInteger, typedQueryParameters } from '../../values.js';
import { buildVersions, caller, requireProject } from './context.js';
import { definitionEnums } from './enum-fields.js';
import { definitionDocument, definitionListItem, latestBuilds, loadRelations } from './representation.js';

/** List parameters Lapis cannot honour; refused by name rather than ignored. */
const unsupportedListParameters = {
  minMetricsTime: 'Lapis keeps no pipeline metrics.',
  taskIdFilter: 'Lapis stores no pipeline tasks to filter on.',
  processType: 'Lapis does not filter pipelines by process type.',
  yamlFilename: 'Lapis does not filter pipelines by YAML file.',
  propertyFilters: 'Lapis keeps no pipeline properties.',
} as const;

function refuseUnsupported(
  query: Partial<Record<keyof typeof unsupportedListParameters, string>>,
  names: readonly (keyof typeof unsupportedListParameters)[],
) {
  for (const name of names) {
    if (query[name] !== undefined && query[name] !== '') {
      throw new DomainError('invalidInput', `The parameter ${name} is not supported: ${unsupportedListParameters[name]}`);
    }
  }
}

const anyObject = Type.Record(Type.String(), Type.Unknown());

/** What a client may send for a definition; unknown fields (links, urls, ids it got from a GET) are accepted and ignored. */
const definitionBody = Type.Object({
  name: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
  revision: Type.Optional(Type.Integer()),
  queueStatus: Type.Optional(enumValue),
  buildNumberFormat: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  comment: Type.Optional(Type.String()),
  repository: Type.Optional(anyObject),
  process: Type.Optional(anyObject),
  queue: Type.Optional(anyObject),
  variables: Type.Optional(anyObject),
  variableGroups: Type.Optional(Type.Array(Type.Unknown())),
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
  ...buildVersions,
  resourceVersion: 7,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      enums: definitionEnums,
      summary:
        'List pipelines (name with * wildcards, queryOrder, $top, continuationToken, definitionIds, path) or get one (revision).',
      query: typedQueryParameters(
        [
          'name',
          'queryOrder',
          'continuationToken',
          'definitionIds',
          'path',
          'repositoryId',
          'repositoryType',
          'builtAfter',
          'notBuiltAfter',
          ...(Object.keys(unsupportedListParameters) as (keyof typeof unsupportedListParameters)[]),
        ],
        { $top: queryInteger, revision: queryInteger, includeAllProperties: queryBoolean, includeLatestBuilds: queryBoolean },
      ),
      async handler(context) {
        const { organization } = caller(context);
        const project = requireProject(context, 'Reading pipelines');
        const { definitions } = context.services;
        const { query } = context;
        const includeLatest = query.includeLatestBuilds ?? false;
        if (context.routeValues.definitionId !== undefined) {
          refuseUnsupported(query, ['minMetricsTime', 'propertyFilters']);
          const definition = await definitions.get(project, definitionId(context), query.revision);
          const relations = await loadRelations(context, organization, [], [definition]);
          const latest = includeLatest ? await latestBuilds(context, project, [definition]) : undefined;
          return { body: definitionDocument(definition, relations, context, latest) };
        }
        refuseUnsupported(query, ['minMetricsTime', 'taskIdFilter', 'processType', 'yamlFilename']);
        const page = await definitions.list(project, {
          name: query.name,
          queryOrder: query.queryOrder,
          top: query.$top,
          continuationToken: query.continuationToken,
          definitionIds: query.definitionIds,
          path: query.path,
          repositoryId: query.repositoryId,
          repositoryType: query.repositoryType,
          builtAfter: query.builtAfter,
          notBuiltAfter: query.notBuiltAfter,
        });
        const relations = await loadRelations(context, organization, [], page.definitions);
        const latest = includeLatest ? await latestBuilds(context, project, page.definitions) : undefined;
        const full = query.includeAllProperties ?? false;
        const render = full ? definitionDocument : definitionListItem;
        return listOf(
          page.definitions.map((definition) => render(definition, relations, context, latest)),
          page.continuationToken,
        );
      },
    }),
    POST: operation({
      scopes: ['vso.build_execute'],
      enums: definitionEnums,
      summary:
        'Create a pipeline, or clone one (definitionToCloneId, definitionToCloneRevision) with the body applied over the copy.',
      query: typedQueryParameters([], { definitionToCloneId: queryInteger, definitionToCloneRevision: queryInteger }),
      body: definitionBody,
      async handler(context) {
        const { organization, user } = caller(context);
        const project = requireProject(context, 'Creating a pipeline');
        if (context.routeValues.definitionId !== undefined) {
          throw new DomainError('invalidInput', 'Create a pipeline by POSTing to {project}/_apis/build/definitions.');
        }
        const { definitionToCloneId: cloneId, definitionToCloneRevision: cloneRevision } = context.query;
        if (cloneRevision !== undefined && cloneId === undefined) {
          throw new DomainError('invalidInput', 'definitionToCloneRevision needs definitionToCloneId.');
        }
        const definition = await context.services.definitions.create(
          project,
          user,
          context.body,
          cloneId === undefined ? undefined : { id: cloneId, revision: cloneRevision },
        );
        const relations = await loadRelations(context, organization, [], [definition]);
        return { body: definitionDocument(definition, relations, context) };
      },
    }),
    PATCH: operation({
      scopes: ['vso.build_execute'],
      enums: definitionEnums,
      summary: 'Restore a deleted pipeline: PATCH …/definitions/{id}?deleted=false (deleted=true deletes it).',
      query: typedQueryParameters([], { deleted: queryBoolean }),
      async handler(context) {
        const { organization } = caller(context);
        const project = requireProject(context, 'Restoring a pipeline');
        const { deleted } = context.query;
        if (deleted === undefined) throw new DomainError('invalidInput', 'Say deleted=false to restore the pipeline.');
        const id = definitionId(context);
        const { definitions } = context.services;
        if (deleted) {
          await definitions.remove(project, id);
          return {};
        }
        const definition = await definitions.restore(project, id);
        const relations = await loadRelations(context, organization, [], [definition]);
        return { body: definitionDocument(definition, relations, context) };
      },
    }),
    PUT: operation({
      scopes: ['vso.build_execute'],
      enums: definitionEnums,
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
