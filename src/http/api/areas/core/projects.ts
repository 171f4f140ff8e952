import Type from 'typebox';
import { operationStatusNumbers, projectStateNumbers, projectVisibilityNumbers } from '../../../../domain/core-enums.js';
import type { Operation } from '../../../../domain/entities.js';
import { parseEnum } from '../../../../domain/enums.js';
import { DomainError } from '../../../../domain/errors.js';
import { projectReference, teamProject } from '../../references.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { enumValue, listOf, queryBoolean, queryInteger, typedQueryParameters } from '../../values.js';

const readScopes = ['vso.profile', 'vso.project'];

const projectEnums = { state: projectStateNumbers, visibility: projectVisibilityNumbers };
const operationEnums = { status: operationStatusNumbers };

/** Project visibility arrives as a name or as the ProjectVisibility number (private 0, public 2). */
function visibilityName(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : parseEnum(projectVisibilityNumbers, value, 'visibility');
}

function operationReference(operation: Operation, collectionUrl: string) {
  const url = `${collectionUrl}/_apis/operations/${operation.id}`;
  return { status: 202, body: { id: operation.id, status: operation.status, url, _links: { self: { href: url } } } };
}

function requireProjectId(context: ApiRequestContext<unknown, unknown>): string {
  const id = context.routeValues.projectId;
  if (!id) throw new DomainError('invalidInput', 'The project id or name is required in the URL.');
  return id;
}

const createBody = Type.Object({
  name: Type.String(),
  description: Type.Optional(Type.String()),
  visibility: Type.Optional(enumValue),
  capabilities: Type.Optional(
    Type.Object({
      versioncontrol: Type.Optional(Type.Object({ sourceControlType: Type.Optional(Type.String()) })),
      processTemplate: Type.Optional(Type.Object({ templateTypeId: Type.Optional(Type.String()) })),
    }),
  ),
});

const updateBody = Type.Object({
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  visibility: Type.Optional(enumValue),
});

export const projectsLocation: ApiLocation = {
  id: '603fe2ac-9723-48b9-88ad-09305aa6c6e1',
  area: 'core',
  resourceName: 'projects',
  routeTemplate: '_apis/{resource}/{*projectId}',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 4,
  operations: {
    GET: operation({
      scopes: readScopes,
      summary: 'List projects (stateFilter, $top, $skip, continuationToken) or get one by id or name (includeCapabilities).',
      query: typedQueryParameters(['stateFilter', 'continuationToken', 'includeHistory'], {
        $top: queryInteger,
        $skip: queryInteger,
        getDefaultTeamImageUrl: queryBoolean,
        includeCapabilities: queryBoolean,
      }),
      enums: projectEnums,
      async handler(context) {
        const { organization } = context;
        const { projects } = context.services;
        const id = context.routeValues.projectId;
        if (id) {
          const project = await projects.get(organization.id, id);
          const capabilities = context.query.includeCapabilities ?? false;
          const defaultTeam = await context.services.teams.defaultOf(project);
          return { body: teamProject(project, context.collectionUrl, capabilities, defaultTeam) };
        }
        if (context.query.getDefaultTeamImageUrl) {
          throw new DomainError('invalidInput', 'getDefaultTeamImageUrl is not supported: Lapis keeps no team images.');
        }
        const page = await projects.list(organization.id, {
          stateFilter: context.query.stateFilter,
          top: context.query.$top,
          skip: context.query.$skip,
          continuationToken: context.query.continuationToken,
        });
        return listOf(
          page.projects.map((project) => projectReference(project, context.collectionUrl)),
          page.continuationToken,
        );
      },
    }),
    POST: operation({
      scopes: ['vso.project_manage'],
      enums: operationEnums,
      summary: 'Create a project; answers 202 with an operation reference (already succeeded).',
      body: createBody,
      async handler(context) {
        const { organization } = context;
        if (context.routeValues.projectId)
          throw new DomainError('invalidInput', 'Create a project by POSTing to _apis/projects.');
        const { body } = context;
        const done = await context.services.operations.run(organization.id, () =>
          context.services.projects.add(organization.id, {
            name: body.name,
            description: body.description,
            visibility: visibilityName(body.visibility),
            sourceControlType: body.capabilities?.versioncontrol?.sourceControlType,
            processTemplateId: body.capabilities?.processTemplate?.templateTypeId,
          }),
        );
        return operationReference(done, context.collectionUrl);
      },
    }),
    PATCH: operation({
      scopes: ['vso.project_write'],
      summary:
        'Rename a project or change its description or visibility; answers 202 with an operation reference (api-version 1.0: 200 with the project).',
      body: updateBody,
      // Operation references at 2.0 and later, projects at 1.0: both shapes have these enum fields.
      enums: { ...operationEnums, ...projectEnums },
      async handler(context) {
        const { organization } = context;
        const id = requireProjectId(context);
        const { body } = context;
        const changes = { name: body.name, description: body.description, visibility: visibilityName(body.visibility) };
        if (context.apiVersion.major < 2) {
          // Version 1.0 changed the project at once and answered with it.
          const project = await context.services.projects.update(organization.id, id, changes);
          const defaultTeam = await context.services.teams.defaultOf(project);
          return { body: teamProject(project, context.collectionUrl, false, defaultTeam) };
        }
        const done = await context.services.operations.run(organization.id, () =>
          context.services.projects.update(organization.id, id, changes),
        );
        return operationReference(done, context.collectionUrl);
      },
    }),
    DELETE: operation({
      scopes: ['vso.project_manage'],
      enums: operationEnums,
      summary: 'Delete a project with its pipelines and builds; answers 202 with an operation reference.',
      async handler(context) {
        const { organization } = context;
        const id = requireProjectId(context);
        const done = await context.services.operations.run(organization.id, () =>
          context.services.projects.remove(organization.id, id),
        );
        return operationReference(done, context.collectionUrl);
      },
    }),
  },
};
