import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, apiFixture } from '../../support/api.js';
import { backends } from '../../support/backends.js';
import { type Listening, listening } from '../../support/listening.js';
import { accessTokenFor } from '../../support/oauth.js';

/**
 * Pins by behaviour what the registry declares: a read-only build credential (vso.build) may not change or
 * delete builds, whether a PAT or an OAuth token. Turning these scopes down to vso.build in the registry would
 * otherwise pass the conformance walk, which follows the declarations.
 */
describe.each(backends())('read-only build credentials over HTTP on $name', (backend) => {
  let server: Listening;
  let fixture: ApiFixture;
  let buildId: number;
  const credentials: Record<string, string> = {};

  beforeAll(async () => {
    if (!backend.available) return;
    server = await listening(await backend.open());
    fixture = await apiFixture(server.lapis);
    await server.lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
    const execute = await fixture.pat('vso.build_execute');
    credentials.execute = `Basic ${Buffer.from(`:${execute}`).toString('base64')}`;
    credentials.pat = `Basic ${Buffer.from(`:${await fixture.pat('vso.build')}`).toString('base64')}`;
    credentials.oauth = `Bearer ${await accessTokenFor(server.lapis, fixture.alice, 'vso.build')}`;
    const queued = await send('execute', 'POST', '/contoso/web/_apis/build/builds', { definition: { id: 1 } });
    expect(queued.status).toBe(200);
    buildId = (await queued.json()).id;
  });
  afterAll(async () => {
    await server?.close();
    await backend.cleanup();
  });

  function send(who: string, method: string, path: string, body?: unknown) {
    return fetch(`${server.url}${path}${path.includes('?') ? '&' : '?'}api-version=7.1`, {
      method,
      headers: {
        authorization: credentials[who]!,
        'x-tfs-fedauthredirect': 'Suppress',
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  }

  it.skipIf(!backend.available).each(['pat', 'oauth'])(
    'a vso.build %s reads the build but cannot update, batch-update or delete it',
    async (who) => {
      expect((await send(who, 'GET', `/contoso/web/_apis/build/builds/${buildId}`)).status).toBe(200);
      const writes = [
        ['PATCH', `/contoso/web/_apis/build/builds/${buildId}`, { keepForever: true }],
        ['PATCH', '/contoso/web/_apis/build/builds', [{ id: buildId, keepForever: true }]],
        ['DELETE', `/contoso/web/_apis/build/builds/${buildId}`, undefined],
      ] as const;
      for (const [method, path, body] of writes) {
        const refused = await send(who, method, path, body);
        expect(refused.status, `${method} ${path}`).toBe(401);
        expect(await refused.json()).toMatchObject({
          typeKey: 'AccessCheckException',
          message: expect.stringContaining('lacks the scope vso.build_execute'),
        });
      }
      const build = await (await send('execute', 'GET', `/contoso/web/_apis/build/builds/${buildId}`)).json();
      expect(build).toMatchObject({ id: buildId, keepForever: false });
    },
  );

  it.skipIf(!backend.available)('the same writes pass with vso.build_execute', async () => {
    const kept = await send('execute', 'PATCH', `/contoso/web/_apis/build/builds/${buildId}`, { keepForever: false });
    expect(kept.status).toBe(200);
    expect((await send('execute', 'DELETE', `/contoso/web/_apis/build/builds/${buildId}`)).status).toBe(204);
    // Deleted builds stay readable, marked deleted, as in Azure DevOps.
    expect(await (await send('execute', 'GET', `/contoso/web/_apis/build/builds/${buildId}`)).json()).toMatchObject({
      deleted: true,
    });
  });
});
