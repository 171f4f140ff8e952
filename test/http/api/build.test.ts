import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/domain/clock.js';
import { type ApiFixture, apiFixture, caller } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

interface BuildJson {
  id: number;
  buildNumber: string;
  status: string;
  result?: string;
  reason: string;
  finishTime?: string;
  queueTime: string;
  sourceBranch: string;
  tags: string[];
  requestedFor: { id: string; uniqueName: string; displayName: string; descriptor: string; url: string; imageUrl: string };
  definition: { id: number; name: string };
  project: { name: string };
  uri: string;
  _links: Record<string, { href: string }>;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`build area on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let call: ReturnType<typeof caller>;
    let pat: string;
    let now = new Date('2026-11-20T08:00:00.000Z');
    const clock: Clock = { now: () => new Date(now) };
    const ids: number[] = [];

    const queue = async (body: Record<string, unknown>) => {
      const response = await call('POST', '/contoso/web/_apis/build/builds?api-version=7.1', { pat, body });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as BuildJson;
    };
    const patch = async (id: number, body: unknown) =>
      call('PATCH', `/contoso/web/_apis/build/builds/${id}?api-version=7.1`, { pat, body });
    const list = async (query: string) => {
      const response = await call('GET', `/contoso/web/_apis/build/builds?${query}`, { pat });
      expect(response.statusCode, response.body).toBe(200);
      return {
        body: response.json() as { count: number; value: BuildJson[] },
        token: response.headers['x-ms-continuationtoken'],
      };
    };

    beforeAll(async () => {
      lapis = await testApp(await backend.open(), { clock });
      fixture = await apiFixture(lapis);
      call = caller(lapis.app);
      pat = await fixture.pat('vso.build_execute');
      for (const name of ['ci', 'nightly']) {
        const created = await call('POST', '/contoso/web/_apis/build/definitions?api-version=7.1', { pat, body: { name } });
        expect(created.statusCode).toBe(200);
      }
      // Six builds an hour apart: ci on main and a feature branch, nightly on schedule; four finish.
      for (let i = 0; i < 6; i++) {
        const build = await queue({
          definition: { id: i < 4 ? 1 : 2 },
          sourceBranch: i % 2 === 0 ? 'refs/heads/main' : 'feature/x',
          reason: i < 4 ? 'individualCI' : 8,
          tags: i === 0 ? ['Release'] : [],
        });
        ids.push(build.id);
        now = new Date(now.getTime() + 600_000);
        if (i < 4) {
          expect((await patch(build.id, { status: 'inProgress' })).statusCode).toBe(200);
          now = new Date(now.getTime() + 600_000);
          expect((await patch(build.id, { status: 2, result: i === 1 ? 'failed' : 'succeeded' })).statusCode).toBe(200);
        }
        now = new Date(now.getTime() + 2_400_000);
      }
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    it('numbers builds per definition and day from the default format and renders the build fields', async () => {
      const build = (await call('GET', `/contoso/web/_apis/build/builds/${ids[1]}`, { pat })).json() as BuildJson;
      expect(build.buildNumber).toBe('20261120.2');
      expect(build).toMatchObject({
        status: 'completed',
        result: 'failed',
        reason: 'individualCI',
        sourceBranch: 'refs/heads/feature/x',
        uri: `vstfs:///Build/Build/${ids[1]}`,
        definition: { id: 1, name: 'ci' },
        project: { name: 'web' },
        requestedFor: { id: fixture.alice.id, displayName: 'Alice Liddell', uniqueName: 'alice@example.test' },
      });
      expect(build.requestedFor.descriptor).toMatch(/^msa\./);
      expect(Object.keys(build._links).sort()).toEqual(['badge', 'self', 'timeline', 'web']);
      expect(build.finishTime).toBe('2026-11-20T09:20:00.000Z');
      const nightly = (await call('GET', `/contoso/web/_apis/build/builds/${ids[4]}`, { pat })).json() as BuildJson;
      expect(nightly.buildNumber).toBe('20261120.1');
      expect(nightly.reason).toBe('schedule');
    });

    it('lists unfinished builds first by default (finishTimeDescending), then by finish time', async () => {
      const { body } = await list('');
      expect(body.value.map((b) => b.id)).toEqual([ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]);
    });

    it('filters by definitions, status, result, reason, branch, tags, buildNumber, requestedFor', async () => {
      expect((await list('definitions=2')).body.value.map((b) => b.id)).toEqual([ids[5], ids[4]]);
      expect((await list('statusFilter=notStarted')).body.count).toBe(2);
      expect((await list('resultFilter=failed')).body.value.map((b) => b.id)).toEqual([ids[1]]);
      expect((await list('reasonFilter=schedule')).body.count).toBe(2);
      expect((await list('reasonFilter=individualCI,schedule')).body.count).toBe(6);
      expect((await list('branchName=refs/heads/main')).body.count).toBe(3);
      expect((await list('tagFilters=release')).body.value.map((b) => b.id)).toEqual([ids[0]]);
      expect((await list('buildNumber=20261120.*&definitions=1')).body.count).toBe(4);
      expect((await list('buildNumber=20261120.3')).body.value.map((b) => b.id)).toEqual([ids[2]]);
      expect((await list('requestedFor=alice')).body.count).toBe(6);
      expect((await list('requestedFor=nobody')).body.count).toBe(0);
      expect((await list(`buildIds=${ids[0]},${ids[5]}`)).body.count).toBe(2);
    });

    it('applies minTime/maxTime to the ordering field, accepting RFC-1123 as the Node client sends', async () => {
      const finished = await list(`minTime=${encodeURIComponent('Fri, 20 Nov 2026 09:00:00 GMT')}&queryOrder=2`);
      expect(finished.body.value.map((b) => b.id)).toEqual([ids[1], ids[2], ids[3]]);
      const queued = await list('minTime=2026-11-20T10:00:00Z&maxTime=2026-11-20T12:00:00Z&queryOrder=queueTimeAscending');
      expect(queued.body.value.map((b) => b.id)).toEqual([ids[2], ids[3], ids[4]]);
    });

    it('pages with $top and x-ms-continuationtoken (the ordering timestamp, round-trip ISO)', async () => {
      const first = await list('$top=2&queryOrder=queueTimeAscending');
      expect(first.body.value.map((b) => b.id)).toEqual([ids[0], ids[1]]);
      expect(first.token).toBe('2026-11-20T10:00:00.0000000Z');
      const second = await list(`$top=2&queryOrder=queueTimeAscending&continuationToken=${first.token}`);
      expect(second.body.value.map((b) => b.id)).toEqual([ids[2], ids[3]]);
      const last = await list(`$top=2&queryOrder=queueTimeAscending&continuationToken=${second.token}`);
      expect(last.body.value.map((b) => b.id)).toEqual([ids[4], ids[5]]);
      expect(last.token).toBeUndefined();
      expect((await list('$top=0')).body.count).toBe(0);
    });

    it.each([
      [
        'statusFilter=inProgress&resultFilter=succeeded',
        'The status filter inProgress is not valid when combined with the result filter succeeded.',
      ],
      [
        'statusFilter=notStarted&minTime=2026-01-01T00:00:00Z',
        'The status filter notStarted is not valid when combined with the query order filter finishTimeDescending.',
      ],
      ['buildIds=1&definitions=1', 'The buildIds filter may not be used with other filter parameters.'],
    ])('refuses %s with InvalidBuildQueryException', async (query, message) => {
      const response = await call('GET', `/contoso/web/_apis/build/builds?${query}`, { pat });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ typeKey: 'InvalidBuildQueryException', message });
    });

    it.each(['statusFilter=sideways', 'minTime=yesterday', '$top=-1', 'continuationToken=garbage', 'queryOrder=9'])(
      'refuses %s with a 400',
      async (query) => {
        const response = await call('GET', `/contoso/web/_apis/build/builds?${query}`, { pat });
        expect(response.statusCode).toBe(400);
      },
    );

    it('lists across the organization when the URL has no project', async () => {
      const response = await call('GET', '/contoso/_apis/build/builds?definitions=2', { pat });
      expect((response.json() as { count: number }).count).toBe(2);
      const get = await call('GET', `/contoso/_apis/build/builds/${ids[0]}`, { pat });
      expect(get.statusCode).toBe(200);
      const queueAtOrg = await call('POST', '/contoso/_apis/build/builds?api-version=7.1', {
        pat,
        body: { definition: { id: 1 } },
      });
      expect(queueAtOrg.statusCode).toBe(400);
    });

    it('queues by ?definitionId= without a body, keeps keepForever, refuses retained deletes and backwards moves', async () => {
      const response = await call('POST', '/contoso/web/_apis/build/builds?api-version=7.1&definitionId=1', { pat });
      expect(response.statusCode, response.body).toBe(200);
      const id = (response.json() as BuildJson).id;
      expect((await patch(id, { keepForever: true })).json()).toMatchObject({ keepForever: true });
      const kept = await call('DELETE', `/contoso/web/_apis/build/builds/${id}?api-version=7.1`, { pat });
      expect(kept.statusCode).toBe(400);
      expect((await patch(id, { keepForever: false, retainedByRelease: true })).statusCode).toBe(200);
      const retained = await call('DELETE', `/contoso/web/_apis/build/builds/${id}?api-version=7.1`, { pat });
      expect(retained.statusCode).toBe(400);
      expect(retained.json()).toMatchObject({ typeKey: 'InvalidBuildException' });
      expect((await patch(ids[0] ?? 0, { status: 'inProgress' })).statusCode).toBe(400);
      const batch = await call('PATCH', '/contoso/web/_apis/build/builds?api-version=7.1', {
        pat,
        body: [{ id, retainedByRelease: false }],
      });
      expect(batch.json()).toMatchObject({ count: 1, value: [{ id, retainedByRelease: false }] });
    });

    it('manages pipelines: wildcard names, ordering, paging, revisions and conflicts', async () => {
      const base = '/contoso/web/_apis/build/definitions';
      const named = (await call('GET', `${base}?name=n*`, { pat })).json() as { value: { name: string }[] };
      expect(named.value.map((d) => d.name)).toEqual(['nightly']);
      const ordered = await call('GET', `${base}?queryOrder=definitionNameDescending&$top=1`, { pat });
      expect((ordered.json() as { value: { name: string }[] }).value.map((d) => d.name)).toEqual(['nightly']);
      const token = ordered.headers['x-ms-continuationtoken'];
      expect(token).toBeDefined();
      const next = await call('GET', `${base}?queryOrder=definitionNameDescending&$top=1&continuationToken=${token}`, { pat });
      expect((next.json() as { value: { name: string }[] }).value.map((d) => d.name)).toEqual(['ci']);

      const current = (await call('GET', `${base}/1`, { pat })).json() as Record<string, unknown> & { revision: number };
      const updated = await call('PUT', `${base}/1?api-version=7.1`, {
        pat,
        body: { ...current, description: 'main pipeline', buildNumberFormat: '$(BuildDefinitionName)_$(Rev:rr)' },
      });
      expect(updated.statusCode, updated.body).toBe(200);
      expect(updated.json()).toMatchObject({ revision: 2, description: 'main pipeline' });
      const stale = await call('PUT', `${base}/1?api-version=7.1`, { pat, body: { ...current, description: 'stale' } });
      expect(stale.statusCode).toBe(409);
      const old = await call('GET', `${base}/1?revision=1`, { pat });
      expect(old.json()).toMatchObject({ revision: 1, buildNumberFormat: '$(Date:yyyyMMdd)$(Rev:.r)' });
      const build = await queue({ definition: { id: 1 } });
      expect(build.buildNumber).toBe('ci_01');
      const duplicate = await call('POST', `${base}?api-version=7.1`, { pat, body: { name: 'CI' } });
      expect(duplicate.statusCode).toBe(409);
      expect((await call('DELETE', `${base}/2?api-version=7.1`, { pat })).statusCode).toBe(204);
      expect((await call('GET', `${base}/2`, { pat })).statusCode).toBe(404);
      const orphan = await call('POST', '/contoso/web/_apis/build/builds?api-version=7.1', {
        pat,
        body: { definition: { id: 2 } },
      });
      expect(orphan.json()).toMatchObject({ message: 'Build pipeline 2 was not found.' });
      expect((await call('GET', `/contoso/web/_apis/build/builds/${ids[4]}`, { pat })).statusCode).toBe(200);
    });
  });
}
