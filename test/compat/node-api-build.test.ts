import type { AddressInfo } from 'node:net';
import { getPersonalAccessTokenHandler, WebApi } from 'azure-devops-node-api';
import type { IBuildApi } from 'azure-devops-node-api/BuildApi.js';
import {
  type Build,
  BuildResult,
  BuildStatus,
  DefinitionQueueStatus,
  FolderQueryOrder,
} from 'azure-devops-node-api/interfaces/BuildInterfaces.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

const project = 'web';
/** A client whose clock runs two seconds behind the server's. */
const clientNow = () => new Date(Date.now() - 2000);

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`build area beyond the happy path, azure-devops-node-api on ${backend.name}`, () => {
    let lapis: Lapis;
    let url: string;
    let pat: string;
    let builds: IBuildApi;
    let store: Awaited<ReturnType<typeof backend.open>>;

    /** Raw REST for what the client cannot express (it joins leasesToFetch objects as "[object Object]"). */
    const rest = (path: string, init: RequestInit = {}) =>
      fetch(`${url}/${path}`, {
        ...init,
        headers: {
          authorization: `Basic ${Buffer.from(`:${pat}`).toString('base64')}`,
          accept: 'application/json;api-version=7.1',
          'content-type': 'application/json',
          ...init.headers,
        },
      });

    const pipeline = async (name: string, extra: Record<string, unknown> = {}) =>
      builds.createDefinition({ name, ...extra } as never, project);

    beforeAll(async () => {
      store = await backend.open();
      lapis = await testApp(store);
      pat = await (await apiFixture(lapis)).pat('vso.build_execute vso.project');
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}/contoso`;
      builds = await new WebApi(url, getPersonalAccessTokenHandler(pat)).getBuildApi();
    });

    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    it('round trip: a build read, changed and PATCHed back whole (keepForever included) is updated, alone and in a batch', async () => {
      const definition = await pipeline('round-trip');
      const first = await builds.queueBuild({ definition: { id: definition.id } }, project);
      const second = await builds.queueBuild({ definition: { id: definition.id } }, project);

      const read = await builds.getBuild(project, first.id ?? 0);
      expect(read).toHaveProperty('keepForever', false);
      const changed = await builds.updateBuild({ ...read, buildNumber: 'renamed-1', keepForever: true }, project, first.id ?? 0);
      expect(changed).toMatchObject({ buildNumber: 'renamed-1', keepForever: true, status: BuildStatus.NotStarted });

      const both = await Promise.all([first, second].map((b) => builds.getBuild(project, b.id ?? 0)));
      const updated = await builds.updateBuilds(
        both.map((b) => ({ ...b, keepForever: false, sourceVersion: `abc${b.id}` })),
        project,
      );
      expect(updated.map((b) => [b.id, b.keepForever, b.sourceVersion])).toEqual(both.map((b) => [b.id, false, `abc${b.id}`]));

      const priorityChange = builds.updateBuild({ ...read, priority: 1 }, project, first.id ?? 0);
      await expect(priorityChange).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('priority') });
    });

    it('clock skew: start and finish times from a client 2 s behind are accepted and stored coherent', async () => {
      const definition = await pipeline('skewed');
      const queued = await builds.queueBuild({ definition: { id: definition.id } }, project);
      const started = await builds.updateBuild(
        { status: BuildStatus.InProgress, startTime: clientNow() },
        project,
        queued.id ?? 0,
      );
      expect(started.status).toBe(BuildStatus.InProgress);
      expect(started.startTime?.getTime()).toBeGreaterThanOrEqual(queued.queueTime?.getTime() ?? Number.NaN);

      const finished = await builds.updateBuild(
        { status: BuildStatus.Completed, result: BuildResult.Succeeded, finishTime: clientNow() },
        project,
        queued.id ?? 0,
      );
      expect(finished).toMatchObject({ status: BuildStatus.Completed, result: BuildResult.Succeeded });
      const times = [finished.queueTime, finished.startTime, finished.finishTime].map((t) => t?.getTime() ?? Number.NaN);
      expect(times).toEqual([...times].sort((a, b) => a - b));

      // A client clock that is coherent with itself keeps its own values.
      const later = await builds.queueBuild({ definition: { id: definition.id } }, project);
      const start = new Date((later.queueTime?.getTime() ?? 0) + 5000);
      const finish = new Date(start.getTime() + 60_000);
      const own = await builds.updateBuild(
        { status: BuildStatus.Completed, result: BuildResult.Failed, startTime: start, finishTime: finish },
        project,
        later.id ?? 0,
      );
      expect([own.startTime?.toISOString(), own.finishTime?.toISOString()]).toEqual([start.toISOString(), finish.toISOString()]);
    });

    it('retention leases: added, read every way, held builds cannot be deleted, removed', async () => {
      const definition = await pipeline('retained');
      const build = await builds.queueBuild({ definition: { id: definition.id } }, project);
      const [lease] = await builds.addRetentionLeases(
        [{ definitionId: definition.id, runId: build.id, ownerId: 'User:alice', daysValid: 30, protectPipeline: false }],
        project,
      );
      expect(lease).toMatchObject({ definitionId: definition.id, runId: build.id, ownerId: 'User:alice' });
      expect(lease?.validUntil).toBeInstanceOf(Date);
      expect((await builds.getRetentionLeasesForBuild(project, build.id ?? 0)).map((l) => l.leaseId)).toEqual([lease?.leaseId]);
      expect(await builds.getRetentionLease(project, lease?.leaseId ?? 0)).toMatchObject({ runId: build.id });
      const byOwner = await builds.getRetentionLeasesByOwnerId(project, 'User:alice', definition.id);
      expect(byOwner.map((l) => l.leaseId)).toEqual([lease?.leaseId]);
      const minimal = await rest(
        `${project}/_apis/build/retention/leases?leasesToFetch=${encodeURIComponent(JSON.stringify({ runId: build.id }))}`,
      );
      expect(((await minimal.json()) as { value: { leaseId: number }[] }).value.map((l) => l.leaseId)).toEqual([lease?.leaseId]);
      const longer = await builds.updateRetentionLease({ daysValid: 90, protectPipeline: true }, project, lease?.leaseId ?? 0);
      expect(longer.protectPipeline).toBe(true);
      expect(longer.validUntil?.getTime()).toBeGreaterThan(lease?.validUntil?.getTime() ?? Number.POSITIVE_INFINITY);

      await expect(builds.deleteBuild(project, build.id ?? 0)).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining('retention leases'),
      });
      await builds.deleteRetentionLeasesById(project, [lease?.leaseId ?? 0]);
      expect(await builds.getRetentionLeasesForBuild(project, build.id ?? 0)).toEqual([]);
      await builds.deleteBuild(project, build.id ?? 0);
      expect((await builds.getBuild(project, build.id ?? 0)).deleted).toBe(true);

      const stranger = await rest(`${project}/_apis/build/retention/leases`, {
        method: 'POST',
        body: JSON.stringify([{ definitionId: definition.id, runId: 999_999, ownerId: 'User:alice', daysValid: 1 }]),
      });
      expect(stranger.status).toBe(404);
    });

    it('sub-resources of a build that produced nothing answer empty and well-formed', async () => {
      const definition = await pipeline('quiet');
      const build = await builds.queueBuild({ definition: { id: definition.id } }, project);
      const id = build.id ?? 0;
      expect(await builds.getBuildLogs(project, id)).toEqual([]);
      const timeline = await builds.getBuildTimeline(project, id);
      expect(timeline.records).toEqual([]);
      expect(await builds.getBuildChanges(project, id)).toEqual([]);
      expect(await builds.getArtifacts(project, id)).toEqual([]);
      expect(await builds.getArtifact(project, id, 'drop')).toBeNull();
      expect(await builds.getBuildWorkItemsRefs(project, id)).toEqual([]);
      const missingLog = await rest(`${project}/_apis/build/builds/${id}/logs/1`);
      expect(missingLog.status).toBe(404);
      expect(await missingLog.json()).toMatchObject({ typeKey: 'BuildLogNotFoundException' });
      const missingBuild = await rest(`${project}/_apis/build/builds/999999/timeline`);
      expect(missingBuild.status).toBe(404);
    });

    it('latest build by definition id, name and branch; status badge as SVG', async () => {
      const definition = await pipeline('latest');
      const none = await builds.getLatestBuild(project, String(definition.id));
      expect(none).toBeNull();
      const onMain = await builds.queueBuild({ definition: { id: definition.id }, sourceBranch: 'refs/heads/main' }, project);
      const onFeature = await builds.queueBuild(
        { definition: { id: definition.id }, sourceBranch: 'refs/heads/feature' },
        project,
      );
      for (const build of [onMain, onFeature]) {
        await builds.updateBuild({ status: BuildStatus.Completed, result: BuildResult.Succeeded }, project, build.id ?? 0);
      }
      expect((await builds.getLatestBuild(project, 'latest'))?.id).toBe(onFeature.id);
      expect((await builds.getLatestBuild(project, String(definition.id), 'main'))?.id).toBe(onMain.id);

      const badge = await builds.getStatusBadge(project, 'latest');
      expect(badge).toMatch(/^<svg[^>]*>.*succeeded.*<\/svg>$/);
      const image = await rest(`${project}/_apis/build/status/${definition.id}`, { headers: { accept: 'image/svg+xml' } });
      expect(image.headers.get('content-type')).toContain('image/svg+xml');
      expect(await image.text()).toContain('latest');
    });

    it('folders: created, listed in order, implied by pipeline paths, deleted with their pipelines', async () => {
      const created = await builds.createFolder({ description: 'release pipelines' }, project, '\\release\\prod');
      expect(created).toMatchObject({ path: '\\release\\prod', description: 'release pipelines' });
      expect(created.createdBy?.uniqueName).toBe('alice@example.test');
      await pipeline('in-folder', { path: '\\release\\staging' });
      const all = await builds.getFolders(project, '\\release', FolderQueryOrder.FolderAscending);
      expect(all.map((f) => f.path)).toEqual(['\\release', '\\release\\prod', '\\release\\staging']);
      const descending = await builds.getFolders(project, '\\release', FolderQueryOrder.FolderDescending);
      expect(descending.map((f) => f.path)).toEqual(['\\release\\staging', '\\release\\prod', '\\release']);
      await expect(builds.createFolder({}, project, '\\release\\prod')).rejects.toMatchObject({ statusCode: 409 });

      await builds.deleteFolder(project, '\\release');
      expect(await builds.getFolders(project, '\\release')).toEqual([]);
      expect((await builds.getDefinitions(project, 'in-folder')).length).toBe(0);
    });

    it('folders: updated (POST) with a new description, and moved with the folders and pipelines below them', async () => {
      await builds.createFolder({ description: 'old' }, project, '\\tools\\lint');
      const mover = await pipeline('mover', { path: '\\tools\\lint' });
      const described = await builds.updateFolder({ description: 'linters' }, project, '\\tools\\lint');
      expect(described).toMatchObject({ path: '\\tools\\lint', description: 'linters' });
      const moved = await builds.updateFolder({ path: '\\checks\\static\\lint', description: 'moved' }, project, '\\tools\\lint');
      expect(moved).toMatchObject({ path: '\\checks\\static\\lint', description: 'moved' });
      expect((await builds.getFolders(project, '\\checks')).map((f) => f.path)).toEqual([
        '\\checks',
        '\\checks\\static',
        '\\checks\\static\\lint',
      ]);
      expect((await builds.getFolders(project, '\\tools')).map((f) => f.path)).toEqual(['\\tools']);
      expect((await builds.getDefinition(project, mover.id ?? 0)).path).toBe('\\checks\\static\\lint');
      await expect(builds.updateFolder({ path: '\\checks' }, project, '\\checks\\static\\lint')).rejects.toMatchObject({
        statusCode: 409,
      });
      await expect(builds.updateFolder({ path: '\\checks\\static\\x' }, project, '\\checks')).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining('cannot move into itself'),
      });
      // The node client answers a 404 with null; the status itself is checked without it.
      expect(await builds.updateFolder({ description: 'none' }, project, '\\nowhere')).toBeNull();
      const missing = await rest(`${project}/_apis/build/folders?path=%5Cnowhere`, { method: 'POST', body: '{}' });
      expect(missing.status).toBe(404);
    });

    it('definitions: revisions with comments, restore after delete, clone, variable groups, secret variables', async () => {
      const definition = await pipeline('history', {
        comment: 'first version',
        variableGroups: [{ id: 7 }],
        variables: { plain: { value: 'visible' }, token: { value: 's3cr3t-value', isSecret: true } },
      });
      expect(definition.variableGroups).toEqual([{ id: 7 }]);
      expect(definition.variables).toEqual({ plain: { value: 'visible' }, token: { value: null, isSecret: true } });
      const read = await builds.getDefinition(project, definition.id ?? 0);
      const second = await builds.updateDefinition({ ...read, comment: 'second version' }, project, definition.id ?? 0);
      expect(second.variables?.token).toEqual({ value: null, isSecret: true });

      const revisions = await builds.getDefinitionRevisions(project, definition.id ?? 0);
      expect(revisions.map((r) => [r.revision, r.comment, r.changedBy?.uniqueName])).toEqual([
        [1, 'first version', 'alice@example.test'],
        [2, 'second version', 'alice@example.test'],
      ]);

      const clone = await builds.createDefinition({ name: 'history-copy' }, project, definition.id, 1);
      expect(clone).toMatchObject({ name: 'history-copy', revision: 1, variableGroups: [{ id: 7 }] });
      expect(clone.variables?.plain).toEqual({ value: 'visible' });

      await builds.deleteDefinition(project, definition.id ?? 0);
      expect((await builds.getDefinitions(project, 'history')).length).toBe(0);
      const restored = await builds.restoreDefinition(project, definition.id ?? 0, false);
      expect(restored).toMatchObject({ id: definition.id, name: 'history', queueStatus: DefinitionQueueStatus.Enabled });
      expect((await builds.getDefinitions(project, 'history')).map((d) => d.id)).toEqual([definition.id]);

      const stored = await sql<{
        text: string;
      }>`select settings as text from build_definitions union all select snapshot from build_definition_revisions`.execute(
        store.kysely,
      );
      expect(stored.rows.length).toBeGreaterThan(0);
      expect(stored.rows.some((row) => row.text.includes('s3cr3t-value'))).toBe(false);
    });

    it('builds keep demands and priority; requestedFor takes the uniqueName Lapis reports', async () => {
      const definition = await pipeline('demanding');
      const build = await builds.queueBuild(
        { definition: { id: definition.id }, priority: 1, demands: ['Agent.OS -equals Linux', { name: 'docker' }] } as Build,
        project,
      );
      expect(build.priority).toBe(1);
      expect(await builds.getBuild(project, build.id ?? 0)).toMatchObject({ demands: ['Agent.OS -equals Linux', 'docker'] });
      const bad = builds.queueBuild({ definition: { id: definition.id }, demands: [42] } as never, project);
      await expect(bad).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('demand') });

      const uniqueName = build.requestedFor?.uniqueName ?? '';
      expect(uniqueName).toBe('alice@example.test');
      for (const who of [uniqueName, 'ALICE@example.test', 'alice', build.requestedFor?.id ?? '']) {
        const found = await builds.getBuilds(project, [definition.id ?? 0], undefined, undefined, undefined, undefined, who);
        expect(
          found.map((b) => b.id),
          who,
        ).toEqual([build.id]);
      }
      const nobody = await builds.getBuilds(project, [definition.id ?? 0], undefined, undefined, undefined, undefined, 'x@y.z');
      expect(nobody).toEqual([]);
    });

    it('list filters are applied, never ignored: per-definition cap, repository, queues, built after, latest builds', async () => {
      const repository = { id: '4a3f6b1e-0000-4000-8000-000000000001', type: 'GitHub', name: 'contoso/tools' };
      const github = await pipeline('filters-github', { repository, queue: { id: 42, name: 'linux' } });
      const local = await pipeline('filters-local');
      const queued: Build[] = [];
      for (const definition of [github, github, github, local, local]) {
        queued.push(await builds.queueBuild({ definition: { id: definition.id } }, project));
      }
      const ids = (list: Build[]) => list.map((b) => b.id).sort();
      const both = [github.id ?? 0, local.id ?? 0];
      const capped = await builds.getBuilds(
        project,
        both,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        1,
      );
      expect(ids(capped)).toEqual([queued[2]?.id, queued[4]?.id].sort());
      const fromRepository = await builds.getBuilds(
        project,
        both,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        repository.id.toUpperCase(),
        'github',
      );
      expect(ids(fromRepository)).toEqual(ids(queued.slice(0, 3)));
      const onQueue = await builds.getBuilds(project, both, [42]);
      expect(ids(onQueue)).toEqual(ids(queued.slice(0, 3)));
      expect(await builds.getBuilds(project, both, [43])).toEqual([]);
      const withProperties = await builds.getBuilds(
        project,
        both,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        ['a', 'b'],
        1,
      );
      expect(withProperties[0]?.properties).toEqual({});

      const byRepository = await builds.getDefinitions(project, undefined, repository.id, 'GitHub');
      expect(byRepository.map((d) => d.id)).toEqual([github.id]);
      const built = await builds.getDefinitions(
        project,
        'filters-*',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        new Date(Date.now() - 3_600_000),
      );
      expect(built.map((d) => d.id).sort()).toEqual(both.sort());
      const idle = await builds.getDefinitions(
        project,
        'filters-*',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        new Date(Date.now() - 3_600_000),
      );
      expect(idle).toEqual([]);
      const withLatest = await builds.getDefinitions(
        project,
        'filters-local',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        true,
      );
      expect(withLatest[0]?.latestBuild?.id).toBe(queued[4]?.id);
      const full = await builds.getDefinitions(
        project,
        'filters-github',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        true,
      );
      expect((full[0] as { repository?: { type?: string } }).repository?.type).toBe('GitHub');

      for (const refused of [
        'build/definitions?yamlFilename=x.yml',
        'build/definitions?taskIdFilter=1',
        'build/builds?maxBuildsPerDefinition=0',
        'build/builds?queues=x',
      ]) {
        const response = await rest(`${project}/_apis/${refused}`);
        expect(response.status, refused).toBe(400);
      }
    });
  });
}
