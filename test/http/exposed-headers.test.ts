import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, apiFixture, basic } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

/** Headers Lapis adds beyond Azure DevOps's: a browser script reads them only when CORS exposes them. */
const lapisHeader = /^(x-lapis-|ratelimit-|retry-after$)/;

function exposed(response: Response): string[] {
  return (response.headers.get('access-control-expose-headers') ?? '').split(',').map((name) => name.trim().toLowerCase());
}

function lapisHeadersOf(response: Response): string[] {
  return [...response.headers.keys()].filter((name) => lapisHeader.test(name));
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`Access-Control-Expose-Headers through a listening server on ${backend.name}`, () => {
    let lapis: Lapis;
    let fixture: ApiFixture;
    let url: string;

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      fixture = await apiFixture(lapis);
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    const projects = (pat: string) =>
      fetch(`${url}/contoso/_apis/projects?api-version=7.1`, { headers: { ...basic(pat), 'x-tfs-fedauthredirect': 'Suppress' } });

    it('lists the expiry, warning and rate-limit headers of an admitted answer, and Retry-After of a refused one', async () => {
      // A day from expiry (inside the warning window) and limited to one call a minute: every Lapis header is sent.
      const { text } = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'browser script',
        scope: 'vso.project',
        organizationId: fixture.organization.id,
        days: 1,
        restrictions: { rateLimit: '1/min' },
      });
      const admitted = await projects(text);
      expect(admitted.status).toBe(200);
      expect(lapisHeadersOf(admitted)).toEqual(
        expect.arrayContaining([
          'x-lapis-token-expires-at',
          'x-lapis-token-expiry-warning',
          'ratelimit-limit',
          'ratelimit-remaining',
          'ratelimit-reset',
        ]),
      );
      const limited = await projects(text);
      expect(limited.status).toBe(429);
      expect(lapisHeadersOf(limited)).toContain('retry-after');

      for (const response of [admitted, limited]) {
        const list = exposed(response);
        expect(list).toEqual(expect.arrayContaining(['activityid', 'x-ms-continuationtoken']));
        expect(lapisHeadersOf(response).filter((name) => !list.includes(name))).toEqual([]);
      }
      expect(exposed(admitted)).toContain('x-lapis-policy-warning');
    });
  });
}
