import type { AddressInfo } from 'node:net';
import { getBasicHandler, getPersonalAccessTokenHandler, WebApi } from 'azure-devops-node-api';
import { BuildQueryOrder, BuildResult, BuildStatus } from 'azure-devops-node-api/interfaces/BuildInterfaces.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`azure-devops-node-api 17 against a listening Lapis on ${backend.name}`, () => {
    let lapis: Lapis;
    let url: string;
    let pat: string;
    let aliceId: string;

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      const fixture = await apiFixture(lapis);
      aliceId = fixture.alice.id;
      pat = await fixture.pat('vso.build_execute vso.project');
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}/contoso`;
    });

    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    const handlers = [
      ['getPersonalAccessTokenHandler(pat)', () => getPersonalAccessTokenHandler(pat)],
      ['getBasicHandler("anyuser", pat)', () => getBasicHandler('anyuser', pat)],
    ] as const;

    for (const [name, handler] of handlers) {
      it(`connects, reads projects and runs the build lifecycle with ${name}`, async () => {
        const api = new WebApi(url, handler());
        const connection = await api.connect();
        expect(connection.authenticatedUser?.id).toBe(aliceId);
        expect(connection.authenticatedUser?.providerDisplayName).toBe('Alice Liddell');

        const core = await api.getCoreApi();
        const projects = await core.getProjects();
        expect(projects.map((p) => p.name)).toContain('web');
        expect(projects[0]?.lastUpdateTime).toBeInstanceOf(Date);
        const project = await core.getProject('web', true);
        expect(project?.name).toBe('web');
        expect(project?.capabilities?.versioncontrol?.sourceControlType).toBe('Git');
        const byId = await core.getProject(project.id ?? '');
        expect(byId?.name).toBe('web');

        const builds = await api.getBuildApi();
        const pipelineName = `ci-${name.length}`;
        const definition = await builds.createDefinition(
          { name: pipelineName, process: { type: 2, yamlFilename: 'azure-pipelines.yml' } as never },
          'web',
        );
        expect(definition.id).toBeGreaterThan(0);
        expect(definition.revision).toBe(1);
        const definitions = await builds.getDefinitions('web');
        expect(definitions.map((d) => d.name)).toContain(pipelineName);
        const fetched = await builds.getDefinition('web', definition.id ?? 0);
        expect(fetched.name).toBe(pipelineName);
        expect(fetched.buildNumberFormat).toBe('$(Date:yyyyMMdd)$(Rev:.r)');

        const before = new Date(Date.now() - 60_000);
        const first = await builds.queueBuild({ definition: { id: definition.id }, sourceBranch: 'refs/heads/main' }, 'web');
        expect(first.status).toBe(BuildStatus.NotStarted);
        expect(first.buildNumber).toMatch(/^\d{8}\.1$/);
        expect(first.requestedFor?.id).toBe(aliceId);
        expect(first.queueTime).toBeInstanceOf(Date);
        const second = await builds.queueBuild({ definition: { id: definition.id } }, 'web');
        expect(second.buildNumber).toMatch(/^\d{8}\.2$/);

        const done = await builds.updateBuild(
          { status: BuildStatus.Completed, result: BuildResult.Succeeded },
          'web',
          first.id ?? 0,
        );
        expect(done.status).toBe(BuildStatus.Completed);
        expect(done.result).toBe(BuildResult.Succeeded);
        expect(done.finishTime).toBeInstanceOf(Date);

        const found = await builds.getBuilds(
          'web',
          [definition.id ?? 0],
          undefined,
          undefined,
          before,
          undefined,
          undefined,
          undefined,
          BuildStatus.Completed,
          BuildResult.Succeeded,
          undefined,
          undefined,
          10,
          undefined,
          undefined,
          undefined,
          BuildQueryOrder.FinishTimeDescending,
          'refs/heads/main',
        );
        expect(found.map((b) => b.id)).toEqual([first.id]);
        const all = await builds.getBuilds('web', [definition.id ?? 0]);
        expect(all.map((b) => b.id).sort()).toEqual([first.id, second.id].sort());

        const got = await builds.getBuild('web', second.id ?? 0);
        expect(got.buildNumber).toBe(second.buildNumber);
        expect(got.definition?.id).toBe(definition.id);

        const cancelled = await builds.updateBuild({ status: BuildStatus.Cancelling }, 'web', second.id ?? 0);
        expect(cancelled.status).toBe(BuildStatus.Completed);
        expect(cancelled.result).toBe(BuildResult.Canceled);

        await builds.deleteBuild('web', first.id ?? 0);
        const deleted = await builds.getBuild('web', first.id ?? 0);
        expect(deleted.deleted).toBe(true);
        const remaining = await builds.getBuilds('web', [definition.id ?? 0]);
        expect(remaining.map((b) => b.id)).toEqual([second.id]);
      });
    }

    it('refuses an under-scoped token with the missing scope named (the client rejects)', async () => {
      const api = new WebApi(url, getPersonalAccessTokenHandler(await apiFixtureToken(lapis, 'vso.build')));
      const builds = await api.getBuildApi();
      const [definition] = await builds.getDefinitions('web');
      await expect(builds.queueBuild({ definition: { id: definition?.id } }, 'web')).rejects.toMatchObject({
        statusCode: 401,
        message: expect.stringContaining('vso.build_execute'),
      });
    });
  });
}

async function apiFixtureToken(lapis: Lapis, scope: string): Promise<string> {
  const alice = await lapis.services.users.get('alice');
  const organization = await lapis.services.organizations.get('contoso');
  return (
    await lapis.services.tokens.create({ user: alice, displayName: scope, scope, organizationId: organization.id, days: 1 })
  ).text;
}
