import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxTagFilters, maxTagLength, maxTagsPerBuild } from '../../src/domain/build-tags.js';
import { maxJsonDepth } from '../../src/http/api/json-depth.js';
import { maxBuildsPerUpdate } from '../../src/services/builds.js';
import { apiFixture, caller } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

type Response = Awaited<ReturnType<ReturnType<typeof caller>>>;

/** A 4xx in the Azure DevOps envelope, with the message a client shows. */
function expectRefusal(response: Response, status: number, message: RegExp): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json() as { typeKey: string; message: string; $id: string };
  expect(body.$id).toBe('1');
  expect(body.message).toMatch(message);
}

/** Inputs that once made one store answer 500 or hold the server: every one is now the same answer on both. */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`request bounds on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let call: ReturnType<typeof caller>;
    let pat: string;
    const builds = '/contoso/web/_apis/build/builds?api-version=7.1';

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      const fixture = await apiFixture(lapis);
      call = caller(lapis.app);
      pat = await fixture.pat('vso.build_execute');
      const created = await call('POST', '/contoso/web/_apis/build/definitions?api-version=7.1', { pat, body: { name: 'ci' } });
      expect(created.statusCode).toBe(200);
      for (let i = 0; i < 3; i++) {
        const queued = await call('POST', builds, { pat, body: { definition: { id: 1 }, tags: [`t${i}`, 'all'] } });
        expect(queued.statusCode, queued.body).toBe(200);
      }
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    it('answers statusFilter=none, reasonFilter=none and resultFilter=1 with an empty list', async () => {
      for (const filter of ['statusFilter=none', 'reasonFilter=none', 'resultFilter=1', 'statusFilter=0']) {
        const response = await call('GET', `${builds}&${filter}`, { pat });
        expect(response.statusCode, `${filter}: ${response.body}`).toBe(200);
        expect(response.json()).toEqual({ count: 0, value: [] });
      }
    });

    it('refuses ids beyond 32 bits in bodies, and a NUL in a continuation token', async () => {
      const patch = await call('PATCH', builds, { pat, body: [{ id: 2 ** 31, status: 'inProgress' }] });
      expectRefusal(patch, 400, /request body is not valid at \/0\/id/);
      for (const id of [2 ** 31, 1e300]) {
        const queue = await call('POST', builds, { pat, body: { definition: { id } } });
        expectRefusal(queue, 400, /request body is not valid at \/definition\/id/);
      }
      const token = await call('GET', `${builds}&continuationToken=A%00A`, { pat });
      expectRefusal(token, 400, /NUL/);
    });

    it(`refuses JSON nested deeper than ${maxJsonDepth} levels before parsing it`, async () => {
      const deep = `${'{"a":'.repeat(4100)}1${'}'.repeat(4100)}`;
      expectRefusal(await call('PATCH', builds, { pat, body: `[${deep}]` }), 400, /nests deeper than 64 levels/);
      const definition = await call('POST', '/contoso/web/_apis/build/definitions?api-version=7.1', {
        pat,
        body: `{"name":"deep","variables":${deep}}`,
      });
      expectRefusal(definition, 400, /nests deeper/);
      const fine = `${'['.repeat(maxJsonDepth - 1)}${']'.repeat(maxJsonDepth - 1)}`;
      expectRefusal(await call('PATCH', builds, { pat, body: fine }), 400, /request body is not valid/);
    });

    it(`caps tagFilters at ${maxTagFilters} tags and tag length at ${maxTagLength}`, async () => {
      const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).join(',');
      for (const n of [maxTagFilters + 1, 997, 2000]) {
        expectRefusal(await call('GET', `${builds}&tagFilters=${tags(n)}`, { pat }), 400, /tagFilters may name at most 100 tags/);
      }
      const all = await call('GET', `${builds}&tagFilters=${tags(maxTagFilters - 1)},all`, { pat });
      expect(all.statusCode, all.body).toBe(200);
      expect(all.json()).toEqual({ count: 0, value: [] });
      const one = await call('GET', `${builds}&tagFilters=ALL,t1`, { pat });
      expect((one.json() as { value: { tags: string[] }[] }).value.map((b) => b.tags)).toEqual([['all', 't1']]);
      const long = await call('GET', `${builds}&tagFilters=${'x'.repeat(maxTagLength + 1)}`, { pat });
      expectRefusal(long, 400, /at most 256 characters/);
    });

    it(`refuses a build with more than ${maxTagsPerBuild} tags or a tag longer than ${maxTagLength}`, async () => {
      const many = Array.from({ length: maxTagsPerBuild + 1 }, (_, i) => `tag${i}`);
      expectRefusal(
        await call('POST', builds, { pat, body: { definition: { id: 1 }, tags: many } }),
        400,
        /at \/tags: must not have more than 100 items/,
      );
      const long = await call('POST', builds, { pat, body: { definition: { id: 1 }, tags: ['y'.repeat(maxTagLength + 1)] } });
      expectRefusal(long, 400, /at most 256 characters/);
    });

    it(`refuses a PATCH batch of more than ${maxBuildsPerUpdate} builds, 70,000 included, and updates a smaller one`, async () => {
      for (const n of [maxBuildsPerUpdate + 1, 70_000]) {
        const body = Array.from({ length: n }, (_, i) => ({ id: i + 1 }));
        expectRefusal(await call('PATCH', builds, { pat, body }), 400, new RegExp(`at most 100 items; this one holds ${n}`));
      }
      const two = await call('PATCH', builds, {
        pat,
        body: [
          { id: 1, status: 'inProgress' },
          { id: 2, status: 'inProgress' },
        ],
      });
      expect(two.statusCode, two.body).toBe(200);
      expect((two.json() as { value: { status: string }[] }).value.map((b) => b.status)).toEqual(['inProgress', 'inProgress']);
    });

    it('answers a URL that is not UTF-8 with the error envelope', async () => {
      for (const url of ['/%ED%A0%80', '/contoso/%ED%A0%80/_apis/build/builds?api-version=7.1', '/contoso/%FF%FE/_apis']) {
        expectRefusal(await call('GET', url, { pat }), 400, /not UTF-8/);
      }
    });
  });
}
