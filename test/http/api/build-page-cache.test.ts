import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/domain/clock.js';
import type { KyselyStore } from '../../../src/storage/kysely/store.js';
import { type ApiFixture, apiFixture, basic } from '../../support/api.js';
import { backends, openSecondConnection } from '../../support/backends.js';
import { type Listening, listening } from '../../support/listening.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface BuildJson {
  id: number;
  buildNumber: string;
  tags: string[];
  definition: { name: string };
  project: { name: string };
  deleted: boolean;
  url?: string;
}

/** One request over a socket; node:http lets a test send any Host header, as a client behind another name would. */
function send(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${base}${path}`,
      {
        method,
        headers: { ...headers, ...(payload !== undefined && { 'content-type': 'application/json' }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/** The build page cache's lookups so far, from the instance's own metrics. */
async function lookups(server: Listening): Promise<{ hits: number; misses: number }> {
  const text = (await send(server.url, 'GET', '/metrics')).text;
  const value = (result: string) =>
    Number(new RegExp(`^lapis_cache_lookups_total\\{cache="buildPages",result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
  return { hits: value('hit'), misses: value('miss') };
}

const list = '/contoso/web/_apis/build/builds?api-version=7.1';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`build page cache on ${backend.name}`, () => {
    // Time stands still unless a test moves it: only a change notice, not the lifetime, can refresh a page.
    let now = new Date('2026-12-01T10:00:00.000Z');
    const clock: Clock = { now: () => new Date(now) };
    const open: Listening[] = [];
    let server: Listening;
    let fixture: ApiFixture;
    let auth: Record<string, string>;

    const start = async (store: KyselyStore) => {
      // One token secret, so the second instance verifies the first's tokens.
      const env = { LAPIS_METRICS: 'on', LAPIS_AUTH_CACHE_MS: '1000', LAPIS_TOKEN_SECRET: 'cd'.repeat(32) };
      const started = await listening(store, { clock, env });
      open.push(started);
      return started;
    };
    const get = async (path: string, headers: Record<string, string> = {}, on = server) => {
      const answer = await send(on.url, 'GET', path, { ...auth, ...headers });
      expect(answer.status, answer.text).toBe(200);
      return answer;
    };
    const builds = async (path = list, on = server) =>
      (JSON.parse((await get(path, {}, on)).text) as { value: BuildJson[] }).value;
    const write = async (method: string, path: string, body?: unknown, on = server) => {
      const answer = await send(on.url, method, path, auth, body);
      expect(answer.status, answer.text).toBeLessThan(300);
      return answer.text === '' ? undefined : (JSON.parse(answer.text) as unknown);
    };
    const queue = async (definitionId = 1, on = server) =>
      (await write('POST', list, { definition: { id: definitionId } }, on)) as BuildJson;
    /** Asks twice and checks the second answer came from memory: the page is cached before the write under test. */
    const cached = async (path = list) => {
      await get(path);
      const before = await lookups(server);
      await get(path);
      expect((await lookups(server)).hits).toBe(before.hits + 1);
    };

    const setUp = async () => {
      now = new Date('2026-12-01T10:00:00.000Z');
      server = await start(await backend.open());
      fixture = await apiFixture(server.lapis);
      auth = basic(await fixture.pat('vso.build_execute vso.project'));
      await write('POST', '/contoso/web/_apis/build/definitions?api-version=7.1', { name: 'ci' });
    };

    afterEach(async () => {
      for (const started of open.splice(0)) await started.close();
    });

    it('answers a repeated page from memory with the same bytes and headers, until its lifetime ends', async () => {
      await setUp();
      await queue();
      await queue();
      const path = `${list}&$top=1`;
      const first = await get(path);
      const before = await lookups(server);
      const second = await get(path);
      const after = await lookups(server);
      expect(after.hits).toBe(before.hits + 1);
      expect(after.misses).toBe(before.misses);
      expect(second.text).toBe(first.text);
      expect(second.headers['content-type']).toBe(first.headers['content-type']);
      expect(second.headers['x-ms-continuationtoken']).toBeDefined();
      expect(second.headers['x-ms-continuationtoken']).toBe(first.headers['x-ms-continuationtoken']);
      expect(second.headers.activityid).not.toBe(first.headers.activityid);

      now = new Date(now.getTime() + 1001);
      await get(path);
      expect((await lookups(server)).misses).toBe(after.misses + 1);
    });

    it('shows every kind of write at once on the same instance', async () => {
      await setUp();
      const first = await queue();

      await cached();
      const second = await queue();
      expect((await builds()).map((b) => b.id)).toEqual([second.id, first.id]);

      await cached();
      await write('PATCH', `/contoso/web/_apis/build/builds/${first.id}?api-version=7.1`, { buildNumber: 'renamed' });
      expect((await builds()).find((b) => b.id === first.id)?.buildNumber).toBe('renamed');

      await cached();
      await write('PUT', `/contoso/web/_apis/build/builds/${first.id}/tags/shipped?api-version=7.1`);
      expect((await builds()).find((b) => b.id === first.id)?.tags).toEqual(['shipped']);

      await cached();
      await write('DELETE', `/contoso/web/_apis/build/builds/${first.id}/tags/shipped?api-version=7.1`);
      expect((await builds()).find((b) => b.id === first.id)?.tags).toEqual([]);

      await cached();
      const pipeline = '/contoso/web/_apis/build/definitions/1?api-version=7.1';
      const definition = (await write('GET', pipeline)) as Record<string, unknown>;
      await write('PUT', pipeline, { ...definition, name: 'ci-renamed' });
      expect((await builds()).map((b) => b.definition.name)).toEqual(['ci-renamed', 'ci-renamed']);

      await cached();
      await server.lapis.services.projects.update(fixture.organization.id, 'web', { name: 'site' });
      const renamed = list.replace('/web/', '/site/');
      expect((await builds(renamed)).map((b) => b.project.name)).toEqual(['site', 'site']);

      await cached(renamed);
      await write('DELETE', `/contoso/site/_apis/build/builds/${second.id}?api-version=7.1`);
      expect((await builds(renamed)).map((b) => b.id)).toEqual([first.id]);
    });

    it('never shares an entry between projects, queries, representations, versions or base URLs', async () => {
      await setUp();
      await server.lapis.services.projects.add(fixture.organization.id, { name: 'api' });
      await write('POST', '/contoso/api/_apis/build/definitions?api-version=7.1', { name: 'api-ci' });
      const web = await queue();
      const api = (await write('POST', '/contoso/api/_apis/build/builds?api-version=7.1', {
        definition: { id: 2 },
      })) as BuildJson;
      await queue();

      const pairs: [string, Record<string, string>, string, Record<string, string>][] = [
        [list, {}, '/contoso/api/_apis/build/builds?api-version=7.1', {}],
        [list, {}, '/contoso/_apis/build/builds?api-version=7.1', {}],
        [list, {}, `${list}&$top=1`, {}],
        [list, {}, `${list}&buildIds=${web.id}`, {}],
        [list, {}, list, { accept: 'application/json;excludeUrls=true' }],
        [list, {}, list, { accept: 'application/json;enumsAsNumbers=true' }],
        [list, {}, list.replace('7.1', '7.0'), {}],
        [list, {}, list, { host: 'builds.example.test:8443' }],
        [
          `/contoso/web/_apis/build/builds/${web.id}?api-version=7.1`,
          {},
          `/contoso/api/_apis/build/builds/${api.id}?api-version=7.1`,
          {},
        ],
      ];
      for (const [pathA, headersA, pathB, headersB] of pairs) {
        const a = await get(pathA, headersA);
        await get(pathA, headersA);
        const b = await get(pathB, headersB);
        const again = await get(pathB, headersB);
        expect(
          `${b.text} ${b.headers['content-type']}`,
          `${pathA} ${JSON.stringify(headersA)} / ${pathB} ${JSON.stringify(headersB)}`,
        ).not.toBe(`${a.text} ${a.headers['content-type']}`);
        expect(again.text).toBe(b.text);
      }
      const elsewhere = (await get(list, { host: 'builds.example.test:8443' })).text;
      expect(elsewhere).toContain('http://builds.example.test:8443/contoso/');
      expect(elsewhere).not.toContain('127.0.0.1');
    });

    it('still refuses callers the gate refuses, with the page in memory', async () => {
      await setUp();
      await queue();
      await cached();
      const before = await lookups(server);
      const readOnlyProjects = basic(await fixture.pat('vso.project'));
      const otherOrganization = await server.lapis.services.organizations.add('fabrikam', 'alice');
      const elsewhere = basic(await fixture.pat('vso.build', otherOrganization.id));
      const refusals: [Record<string, string>, number][] = [
        [{ 'x-tfs-fedauthredirect': 'Suppress' }, 401],
        [basic('x'.repeat(52)), 401],
        [readOnlyProjects, 401],
        [elsewhere, 401],
      ];
      for (const [headers, status] of refusals) {
        const answer = await send(server.url, 'GET', list, headers);
        expect(answer.status, JSON.stringify(headers)).toBe(status);
        expect(answer.text).not.toContain('"buildNumber"');
      }
      expect((await lookups(server)).hits).toBe(before.hits);
    });

    it("shows another instance's writes on the first within the notice", async () => {
      await setUp();
      const build = await queue();
      const store = openSecondConnection(server.lapis.store as KyselyStore);
      const second = await start(store);
      try {
        await cached();
        await write('PATCH', `/contoso/web/_apis/build/builds/${build.id}?api-version=7.1`, { buildNumber: 'elsewhere' }, second);
        // Polled, not timed: the clock stands still, so only the change notice can refresh the page.
        let seen: string | undefined;
        for (let attempt = 0; attempt < 400 && seen !== 'elsewhere'; attempt++) {
          seen = (await builds()).find((b) => b.id === build.id)?.buildNumber;
          if (seen !== 'elsewhere') await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(seen).toBe('elsewhere');

        await cached();
        const added = await queue(1, second);
        for (let attempt = 0; attempt < 400 && (await builds())[0]?.id !== added.id; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect((await builds())[0]?.id).toBe(added.id);
      } finally {
        await second.close();
        await store.close();
      }
    });
  });
}
