import Type from 'typebox';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { listOf, queryParameters } from '../../values.js';

const patchDocument = Type.Array(
  Type.Object({
    op: Type.String(),
    path: Type.String(),
    value: Type.Optional(Type.Unknown()),
    from: Type.Optional(Type.String()),
  }),
);

async function projectOf(context: ApiRequestContext<unknown, unknown>) {
  const organization = context.organization;
  const projectId = context.routeValues.projectId;
  if (!organization || !projectId) throw new Error('project properties are served under an organization and a project');
  return context.services.projects.get(organization.id, projectId);
}

export const projectPropertiesLocation: ApiLocation = {
  id: '4976a71a-4487-49aa-8aab-a1eda469037a',
  area: 'core',
  resourceName: 'properties',
  routeTemplate: '_apis/projects/{projectId}/properties',
  minVersion: '4.1',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.project'],
      summary: "A project's properties: the System.* ones Azure DevOps keeps and custom ones (keys: names, `*` wildcards).",
      query: queryParameters('keys'),
      async handler(context) {
        const project = await projectOf(context);
        const defaultTeam = await context.services.teams.defaultOf(project);
        return listOf(await context.services.projectProperties.list(project, defaultTeam, context.query.keys));
      },
    }),
    PATCH: operation({
      scopes: ['vso.project_write'],
      summary: 'Add, replace or remove custom properties with a JSON Patch document; System.* properties are read-only.',
      body: patchDocument,
      async handler(context) {
        const project = await projectOf(context);
        await context.services.projectProperties.patch(project, context.body);
        return {};
      },
    }),
  },
};
