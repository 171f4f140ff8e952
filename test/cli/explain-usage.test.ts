import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildsLocation } from '../../src/http/api/areas/build/builds.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { basic } from '../support/api.js';
import { testApp } from '../support/app.js';
import { lapis } from '../support/cli.js';

describe('lapis explain and lapis pat usage', () => {
  const setup = async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-explain-')) };
    expect((await lapis(['migrate'], env)).status).toBe(0);
    expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
    expect((await lapis(['org', 'add', 'contoso', '--owner', 'alice'], env)).status).toBe(0);
    const create = async (name: string, scope: string) =>
      JSON.parse(
        (await lapis(['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', name, '--scope', scope, '--json'], env))
          .stdout,
      ) as { authorizationId: string; token: string };
    return { env, build: await create('reader', 'vso.build'), code: await create('coder', 'vso.code') };
  };

  it('names the route, versions and scope of a request, and which of a user’s tokens would pass', async () => {
    const { env, build, code } = await setup();
    const text = await lapis(['explain', 'GET', '/contoso/web/_apis/build/builds', '--user', 'alice'], env);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`route:    build/builds (location ${buildsLocation.id})`);
    expect(text.stdout).toContain(`template: ${buildsLocation.routeTemplate}`);
    expect(text.stdout).toContain('needs:    vso.build (Build (read))');
    expect(text.stdout).toContain(`token ${build.authorizationId} "reader": passes`);
    expect(text.stdout).toMatch(new RegExp(`token ${code.authorizationId} "coder": refused \\(insufficientScope\\)`));

    const json = JSON.parse(
      (await lapis(['explain', 'post', '/contoso/web/_apis/build/builds', '--user', 'alice', '--json'], env)).stdout,
    );
    expect(json).toMatchObject({
      method: 'POST',
      locationId: buildsLocation.id,
      operation: { scopes: [{ id: 'vso.build_execute' }] },
    });
    expect(json.tokens.map((t: { passes: boolean }) => t.passes)).toEqual([false, false]);

    const unknown = await lapis(['explain', 'GET', '/contoso/_apis/nothing'], env);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/No route of this server answers/);
  });

  it('shows the usage trail a server recorded, without the token', async () => {
    const { env, build } = await setup();
    const lapisServer = await testApp(openSqliteStore(join(env.LAPIS_DATA_DIR, 'lapis.db')), { env });
    await lapisServer.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (lapisServer.app.server.address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/contoso/_apis/build/builds?api-version=7.1`, {
      headers: { ...basic(build.token), 'user-agent': 'nightly-report/2.1' },
    });
    expect(response.status).toBe(200);
    // Stopping the server writes what its buffer holds.
    await lapisServer.app.close();
    await lapisServer.store.close();

    const usage = await lapis(['pat', 'usage', build.authorizationId, '--json'], env);
    expect(usage.status).toBe(0);
    expect(usage.stdout).not.toContain(build.token);
    expect(JSON.parse(usage.stdout)).toEqual([
      expect.objectContaining({ clientAddress: '127.0.0.1', userAgent: 'nightly-report/2.1' }),
    ]);
    expect((await lapis(['pat', 'usage', build.authorizationId], env)).stdout).toMatch(/127\.0\.0\.1\s+nightly-report\/2\.1/);
  });
});
