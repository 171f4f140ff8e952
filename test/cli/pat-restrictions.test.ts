import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openExistingStore } from '../../src/compose.js';
import { testApp, testConfig } from '../support/app.js';
import { lapis } from '../support/cli.js';

describe('lapis pat create with restrictions', () => {
  const setup = async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-pat-restrict-')) };
    for (const args of [['migrate'], ['user', 'add', 'alice'], ['org', 'add', 'contoso', '--owner', 'alice']]) {
      expect((await lapis(args, env)).status).toBe(0);
    }
    expect((await lapis(['project', 'add', 'contoso', 'web'], env)).status).toBe(0);
    expect((await lapis(['project', 'add', 'contoso', 'api'], env)).status).toBe(0);
    return env;
  };

  it('sets projects, address ranges, read-only and a rate, lists them, and a server enforces them', async () => {
    const env = await setup();
    const args = ['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', 'ci', '--scope', 'vso.build_execute'];
    const restrictions = [
      '--project',
      'web',
      '--allow-ip',
      '127.0.0.0/8',
      '--allow-ip',
      '::1',
      '--read-only',
      '--rate-limit',
      '60/min',
    ];
    const created = await lapis([...args, ...restrictions, '--json'], env);
    expect(created.stderr).toBe('');
    const { token, ...record } = JSON.parse(created.stdout);
    expect(record.restrictions).toBe('projects web; read-only; from 127.0.0.0/8, ::1/128; 60/min');
    expect(JSON.parse((await lapis(['pat', 'list', '--user', 'alice', '--json'], env)).stdout)).toEqual([record]);
    expect((await lapis(['pat', 'list', '--user', 'alice'], env)).stdout).toContain('projects web; read-only');

    const config = testConfig(env);
    const server = await testApp(await openExistingStore(config), { env });
    try {
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
      const call = (path: string, method = 'GET') =>
        fetch(`${base}${path}?api-version=7.1`, {
          method,
          headers: { authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}`, 'x-tfs-fedauthredirect': 'Suppress' },
        });
      const allowed = await call('/contoso/web/_apis/build/builds');
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('ratelimit-limit')).toBe('60');
      expect((await call('/contoso/api/_apis/build/builds')).status).toBe(403);
      expect((await call('/contoso/web/_apis/build/builds', 'POST')).status).toBe(403);
    } finally {
      await server.app.close();
      await server.store.close();
    }
  });

  it.each([
    [['--allow-ip', '10.0.0.0/40'], /"10\.0\.0\.0\/40" is not an address range/],
    [['--rate-limit', '60 per minute'], /is not a count per window such as 60\/min/],
    [['--project', 'nowhere'], /The organization has no project "nowhere"/],
  ])('refuses %j with one line', async (extra, message) => {
    const env = await setup();
    const result = await lapis(
      ['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', 'x', '--scope', 'vso.build', ...extra],
      env,
    );
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a project restriction on a token for every organization', async () => {
    const env = await setup();
    const result = await lapis(
      ['pat', 'create', '--user', 'alice', '--all-orgs', '--name', 'x', '--scope', 'vso.build', '--project', 'web'],
      env,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/needs a token limited to one organization/);
  });
});
