import { type ApiLocation, operation } from '../../registry.js';
import { listOf, requiredInteger } from '../../values.js';
import { buildSubresource, caller, requireProject } from './context.js';
import { definitionRevisionEnums } from './enum-fields.js';
import { person } from './representation.js';

/** `_apis/build/definitions/{definitionId}/revisions`: who changed a pipeline, when, with which comment. */
export const definitionRevisionsLocation: ApiLocation = {
  id: '7c116775-52e5-453e-8c5d-914d9762d8c4',
  area: 'build',
  resourceName: 'revisions',
  routeTemplate: '{project}/_apis/{area}/definitions/{definitionId}/{resource}',
  ...buildSubresource,
  resourceVersion: 3,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      enums: definitionRevisionEnums,
      summary: "A pipeline's revision history, oldest first.",
      async handler(context) {
        caller(context);
        const project = requireProject(context, 'Reading pipeline revisions');
        const id = requiredInteger(context.routeValues.definitionId, 'definitionId');
        const revisions = await context.services.definitions.revisions(project, id);
        const users = await context.services.users.byIds(revisions.map((revision) => revision.changedById));
        return listOf(
          revisions.map((revision) => ({
            changedBy: person(users, revision.changedById, context),
            changedDate: revision.changedDate,
            changeType: revision.changeType,
            comment: revision.comment,
            definitionUrl: `${context.collectionUrl}/${project.id}/_apis/build/Definitions/${id}?revision=${revision.revision}`,
            name: revision.name,
            revision: revision.revision,
          })),
        );
      },
    }),
  },
};
