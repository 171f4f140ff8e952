import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxBuildTop } from '../../src/domain/build-query.js';
import { maxTagsPerBuild } from '../../src/domain/build-tags.js';
import { apiFixture, basic } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { loadHeavyBuilds } from '../support/heavy-builds.js';

/** A GET on a connection of its own, so no keep-alive connection left idle by a long test is reused. */
function freshGet(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

interface Answer {
  sentAt: number;
  answeredAt: number;
  status: number;
}

/**
 * The largest list Lapis serves ($top at Azure DevOps' maximum of 5,000, every build at the tag caps: ~46 MB of JSON)
 * once held the event loop for seconds. It is now read, rendered and sent in slices, so the server keeps answering
 * other requests while it is produced: the test shows the order of events, not how fast anything is.
 */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`the longest build list on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let base: string;
    let headers: Record<string, string>;

    beforeAll(async () => {
      const store = await backend.open();
      lapis = await testApp(store, { env: { LAPIS_LOG_LEVEL: 'warn' } });
      const fixture = await apiFixture(lapis);
      await lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
      await loadHeavyBuilds(store, fixture.organization, fixture.project, fixture.alice);
      headers = basic(await fixture.pat('vso.build'));
      base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    }, 120_000);
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    it(`answers /_health while a page of ${maxBuildTop} builds with ${maxTagsPerBuild} tags each is being sent`, async () => {
      let listDone = false;
      let headersAt = Number.POSITIVE_INFINITY;
      const list = (async () => {
        const response = await fetch(`${base}/contoso/web/_apis/build/builds?$top=${maxBuildTop}&api-version=7.1`, {
          headers,
        });
        headersAt = Date.now();
        const text = await response.text();
        const finishedAt = Date.now();
        listDone = true;
        return { status: response.status, text, finishedAt };
      })();
      const health: Answer[] = [];
      // One health check after another for as long as the list runs: each is sent only when the previous one answered.
      while (!listDone) {
        const sentAt = Date.now();
        const response = await fetch(`${base}/_health`);
        await response.arrayBuffer();
        health.push({ sentAt, answeredAt: Date.now(), status: response.status });
      }
      const { status, text, finishedAt } = await list;

      expect(status).toBe(200);
      const body = JSON.parse(text) as { count: number; value: { tags: string[] }[] };
      expect(body.count).toBe(maxBuildTop);
      expect(body.value).toHaveLength(maxBuildTop);
      expect(body.value.every((build) => build.tags.length === maxTagsPerBuild)).toBe(true);
      expect(health.every((answer) => answer.status === 200)).toBe(true);
      // Asked after the list's first bytes arrived, answered before its last: the list did not hold the server.
      const during = health.filter((answer) => answer.sentAt >= headersAt && answer.answeredAt <= finishedAt);
      expect(during.length, JSON.stringify({ headersAt, finishedAt, health: health.slice(-5) })).toBeGreaterThan(0);
    }, 120_000);

    it('streams a long list in every Accept representation exactly as it serialises a short one', async () => {
      const accept = 'application/json;api-version=7.1;excludeUrls=true;enumsAsNumbers=true;msDateFormat=true;noArrayWrap=true';
      const page = async (top: number) => {
        const response = await freshGet(`${base}/contoso/web/_apis/build/builds?$top=${top}`, { ...headers, accept });
        expect(response.status).toBe(200);
        return response.text.replace(/^\[|\]$/g, '');
      };
      const short = await page(100);
      const long = await page(150);
      expect(short).not.toContain('"url":');
      expect(short).toMatch(/"queueTime":"\\\/Date\(\d+\)\\\/"/);
      expect(long.startsWith(`${short},`)).toBe(true);
      expect((JSON.parse(`[${long}]`) as unknown[]).length).toBe(150);
    });
  });
}
