import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/schema.js';
import { apiFixture, basic } from '../support/api.js';
import { testApp, testConfig } from '../support/app.js';
import { backends } from '../support/backends.js';

const metricsToken = 'scrape-'.repeat(6);

/** The samples of a Prometheus text answer, as `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`GET /metrics (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('is not there unless configured', async () => {
      const lapis = await testApp(await backend.open());
      try {
        const base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        expect((await fetch(`${base}/metrics`)).status).toBe(404);
      } finally {
        await lapis.app.close();
      }
    });

    it('with a token: refuses scrapers without it, and counts requests, outcomes, caches and the pool', async () => {
      const lapis = await testApp(await backend.open(), {
        env: { LAPIS_METRICS: 'token', LAPIS_METRICS_TOKEN: metricsToken, LAPIS_AUTH_CACHE_MS: '1000' },
      });
      try {
        const fixture = await apiFixture(lapis);
        const pat = await fixture.pat('vso.project');
        const base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        const projects = `${base}/contoso/_apis/projects?api-version=7.1`;
        for (let i = 0; i < 3; i++) expect((await fetch(projects, { headers: basic(pat) })).status).toBe(200);
        expect((await fetch(projects, { headers: basic(`${pat.slice(0, -1)}x`) })).status).toBe(401);
        expect((await fetch(projects, { headers: { 'x-tfs-fedauthredirect': 'Suppress' } })).status).toBe(401);

        for (const authorization of [undefined, 'Bearer wrong', `Basic ${metricsToken}`, `Bearer ${metricsToken}x`]) {
          const refused = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
          expect(refused.status).toBe(401);
          expect(refused.headers.get('www-authenticate')).toBe('Bearer');
          expect(await refused.json()).toMatchObject({ message: expect.stringContaining('metrics token') });
        }

        const scrape = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
        expect(scrape.status).toBe(200);
        expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        const values = samples(await scrape.text());
        const route = '/:organization/_apis/projects';
        expect(values.get(`lapis_http_requests_total{route="${route}",method="GET",status="200",credential="pat"}`)).toBe(3);
        expect(values.get(`lapis_http_requests_total{route="${route}",method="GET",status="401",credential="pat"}`)).toBe(1);
        expect(values.get(`lapis_http_requests_total{route="${route}",method="GET",status="401",credential="none"}`)).toBe(1);
        expect(values.get(`lapis_http_request_duration_seconds_count{route="${route}",method="GET"}`)).toBe(5);
        expect(values.get('lapis_auth_outcomes_total{outcome="admitted",reason="ok",credential="pat"}')).toBe(3);
        expect(values.get('lapis_auth_outcomes_total{outcome="refused",reason="missing",credential="none"}')).toBe(1);
        expect(
          [...values].filter(([name]) => name.startsWith('lapis_auth_outcomes_total{outcome="refused"')).length,
        ).toBeGreaterThanOrEqual(2);
        // The first call loads the token, the next two find it in memory.
        expect(values.get('lapis_cache_lookups_total{cache="pat",result="hit"}')).toBe(2);
        expect(values.get('lapis_cache_lookups_total{cache="pat",result="miss"}')).toBeGreaterThanOrEqual(1);
        expect(values.get('lapis_cache_hit_ratio{cache="pat"}')).toBeGreaterThan(0);
        expect(values.get('lapis_change_notification_lag_seconds_count')).toBe(0);
        expect(values.get('lapis_change_publish_failures_total')).toBe(0);
        if (backend.name === 'postgres') {
          expect(values.get('lapis_db_pool_connections{state="total"}')).toBeGreaterThan(0);
          expect(values.has('lapis_db_pool_connections{state="waiting"}')).toBe(true);
        }
        expect(values.get('process_resident_memory_bytes')).toBeGreaterThan(0);
      } finally {
        await lapis.app.close();
      }
    });

    it('open to anyone when set to on', async () => {
      const lapis = await testApp(await backend.open(), { env: { LAPIS_METRICS: 'on' } });
      try {
        const base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        const scrape = await fetch(`${base}/metrics`);
        expect(scrape.status).toBe(200);
        expect(await scrape.text()).toContain('# TYPE lapis_http_requests_total counter');
      } finally {
        await lapis.app.close();
      }
    });
  });
}

describe('metrics configuration', () => {
  it('refuses token mode without a long enough token', () => {
    expect(() => testConfig({ LAPIS_METRICS: 'token' })).toThrow(ConfigError);
    expect(() => testConfig({ LAPIS_METRICS: 'token', LAPIS_METRICS_TOKEN: 'short' })).toThrow(/at least 32/);
    expect(() => testConfig({ LAPIS_METRICS: 'sometimes' })).toThrow(/off, on, token/);
  });
});
