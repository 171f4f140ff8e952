import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, operation } from '../../registry.js';
import { listOf, queryInteger, typedQueryParameters } from '../../values.js';
import { buildSubresource, requireBuild } from './context.js';

/**
 * What a build links to in source control, work tracking and drops. Lapis has no repositories, work items or
 * artifact storage, so each is an empty list for a build that exists (and 404 for one that does not).
 */
function emptyListOf(what: string, namesOne = false) {
  return operation({
    scopes: ['vso.build'],
    summary: `A build's ${what} (always empty: Lapis keeps no ${what}).`,
    query: typedQueryParameters(['continuationToken', 'includeSourceChange', 'artifactName'], { $top: queryInteger }),
    async handler(context) {
      const { build } = await requireBuild(context, `Reading a build's ${what}`);
      const name = context.routeValues.artifactName ?? context.query.artifactName;
      if (namesOne && name !== undefined)
        throw new DomainError('artifactNotFound', `Build ${build.id} has no artifact named "${name}".`);
      return listOf([]);
    },
  });
}

export const buildChangesLocation: ApiLocation = {
  id: '54572c7b-bbd3-45d4-80dc-28be08941620',
  area: 'build',
  resourceName: 'changes',
  routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}',
  ...buildSubresource,
  resourceVersion: 2,
  operations: { GET: emptyListOf('changes') },
};

export const buildArtifactsLocation: ApiLocation = {
  id: '1db06c96-014e-44e1-ac91-90b2d4b3e984',
  area: 'build',
  resourceName: 'artifacts',
  routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}/{artifactName}',
  ...buildSubresource,
  resourceVersion: 5,
  operations: { GET: emptyListOf('artifacts', true) },
};

export const buildWorkItemsLocation: ApiLocation = {
  id: '5a21f5d2-5642-47e4-a0bd-1356e6731bee',
  area: 'build',
  resourceName: 'workitems',
  routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}',
  ...buildSubresource,
  resourceVersion: 2,
  operations: {
    GET: emptyListOf('work items'),
    // getBuildWorkItemsRefsFromCommits posts commit ids; with no repositories, none links to a work item.
    POST: emptyListOf('work items'),
  },
};
