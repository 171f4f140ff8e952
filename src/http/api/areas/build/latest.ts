import { type ApiLocation, operation } from '../../registry.js';
import { queryParameters } from '../../values.js';
import { buildSubresource, caller, requireProject } from './context.js';
import { buildEnums } from './enum-fields.js';
import { buildDocument, loadRelations } from './representation.js';

/** `_apis/build/latest/{definition}`: the newest completed build of a pipeline named by id or name, optionally on a branch. */
export const latestBuildLocation: ApiLocation = {
  id: '54481611-01f4-47f3-998f-160da0f0c229',
  area: 'build',
  resourceName: 'latest',
  routeTemplate: '{project}/_apis/{area}/{resource}/{*definition}',
  ...buildSubresource,
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      enums: buildEnums,
      summary: 'The latest completed build of a pipeline (by id, name or folder\\name), optionally on branchName.',
      query: queryParameters('branchName'),
      async handler(context) {
        const { organization } = caller(context);
        const project = requireProject(context, 'Reading the latest build');
        const definition = await context.services.definitions.findByIdOrName(project, context.routeValues.definition ?? '');
        const build = await context.services.builds.latest(project, definition.id, context.query.branchName);
        const relations = await loadRelations(context, organization, [build]);
        return { body: buildDocument(build, relations, context) };
      },
    }),
  },
};
