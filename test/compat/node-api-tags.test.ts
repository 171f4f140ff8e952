import type { AddressInfo } from 'node:net';
import { getPersonalAccessTokenHandler, WebApi } from 'azure-devops-node-api';
import type { IBuildApi } from 'azure-devops-node-api/BuildApi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

/** Build, definition and project tags through the official client's own calls, against a listening server. */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`azure-devops-node-api 17 tag calls on ${backend.name}`, () => {
    let lapis: Lapis;
    let api: IBuildApi;
    let definitionId: number;
    let buildIds: number[];

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      const fixture = await apiFixture(lapis);
      const pat = await fixture.pat('vso.build_execute');
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}/contoso`;
      api = await new WebApi(url, getPersonalAccessTokenHandler(pat)).getBuildApi();
      const definition = await api.createDefinition({ name: 'tagged', process: { type: 2 } as never }, 'web');
      definitionId = definition.id ?? 0;
      buildIds = [];
      for (const tags of [['Release'], []]) {
        buildIds.push((await api.queueBuild({ definition: { id: definitionId }, tags }, 'web')).id ?? 0);
      }
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    it('adds, lists, updates and removes build tags, and filters builds by them', async () => {
      const [first = 0, second = 0] = buildIds;
      expect(await api.getBuildTags('web', first)).toEqual(['Release']);
      expect(await api.addBuildTag('web', second, 'nightly')).toEqual(['nightly']);
      expect(await api.addBuildTags(['QA', 'release', 'v1.2 beta'], 'web', second)).toEqual([
        'nightly',
        'QA',
        'release',
        'v1.2 beta',
      ]);
      expect(await api.updateBuildTags({ tagsToAdd: ['green'], tagsToRemove: ['QA', 'nightly'] }, 'web', second)).toEqual([
        'green',
        'release',
        'v1.2 beta',
      ]);
      expect(await api.deleteBuildTag('web', second, 'green')).toEqual(['release', 'v1.2 beta']);
      expect((await api.getBuild('web', second)).tags).toEqual(['release', 'v1.2 beta']);

      const tagged = await api.getBuilds(
        'web',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        ['RELEASE'],
      );
      expect(tagged.map((b) => b.id).sort()).toEqual([first, second]);
      const both = await api.getBuilds(
        'web',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        ['release', 'v1.2 beta'],
      );
      expect(both.map((b) => b.id)).toEqual([second]);

      expect(await api.getTags('web')).toEqual(['Release', 'v1.2 beta']);
      expect(await api.deleteTag('web', 'release')).toEqual(['v1.2 beta']);
      expect(await api.getBuildTags('web', first)).toEqual([]);
    });

    it('refuses a tag past the per-build cap with a 400 the client reports', async () => {
      const [, second = 0] = buildIds;
      const many = Array.from({ length: 100 }, (_, i) => `bulk-${i}`);
      await expect(api.addBuildTags(many, 'web', second)).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/at most 100 tags/),
      });
    });

    it('adds, lists and removes definition tags, each change a new revision', async () => {
      expect(await api.getDefinitionTags('web', definitionId)).toEqual([]);
      expect(await api.addDefinitionTag('web', definitionId, 'team-a')).toEqual(['team-a']);
      expect(await api.addDefinitionTags(['Linux', 'team-a'], 'web', definitionId)).toEqual(['Linux', 'team-a']);
      expect(await api.updateDefinitionTags({ tagsToAdd: ['arm'], tagsToRemove: ['linux'] }, 'web', definitionId)).toEqual([
        'arm',
        'team-a',
      ]);
      expect(await api.deleteDefinitionTag('web', definitionId, 'arm')).toEqual(['team-a']);
      const definition = await api.getDefinition('web', definitionId);
      expect(definition.tags).toEqual(['team-a']);
      expect(definition.revision).toBe(5);
      expect(await api.getDefinitionTags('web', definitionId, 3)).toEqual(['Linux', 'team-a']);
    });
  });
}
