import { type ApiLocation, operation } from '../../registry.js';
import { queryParameters } from '../../values.js';
import { buildSubresource, requireBuild } from './context.js';

/**
 * A build's timeline. Nothing runs a Lapis build, so the timeline has no records; it is still the Timeline shape, so
 * the `_links.timeline` of every build resolves and clients reading `records` find an empty array.
 */
export const buildTimelineLocation: ApiLocation = {
  id: '8baac422-4c6e-4de5-8532-db96d92acffa',
  area: 'build',
  resourceName: 'Timeline',
  routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}/{timelineId}',
  ...buildSubresource,
  resourceVersion: 3,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: "A build's timeline: the Timeline shape with no records (Lapis runs no jobs).",
      query: queryParameters('changeId', 'planId'),
      async handler(context) {
        const { build } = await requireBuild(context, 'Reading a build timeline');
        const url = `${context.collectionUrl}/${build.projectId}/_apis/build/builds/${build.id}/Timeline`;
        return {
          body: {
            records: [],
            lastChangedBy: build.lastChangedById,
            lastChangedOn: build.lastChangedDate,
            // No orchestration plan exists; the requested id (or the empty GUID) names the empty timeline.
            id: context.routeValues.timelineId ?? '00000000-0000-0000-0000-000000000000',
            changeId: 0,
            url,
          },
        };
      },
    }),
  },
};
