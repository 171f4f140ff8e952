import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { lapis } from '../support/cli.js';
import { authorizeCode } from '../support/oauth.js';

describe('lapis app and keys', () => {
  it('registers, lists, rotates the secret of, revokes grants of and removes an app', async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-cli-oauth-')) };
    expect((await lapis(['migrate'], env)).status).toBe(0);
    expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
    const add = await lapis(
      [
        'app',
        'add',
        '--owner',
        'alice',
        '--name',
        'Dashboard',
        '--callback',
        'https://example.test/cb',
        '--callback',
        'http://localhost:3000/cb',
        '--scope',
        'vso.build vso.profile',
        '--company',
        'Example',
        '--json',
      ],
      env,
    );
    expect(add.status).toBe(0);
    const { appId, clientSecret } = JSON.parse(add.stdout) as { appId: string; clientSecret: string };
    expect(appId).toMatch(/^[0-9a-f-]{36}$/);
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const list = JSON.parse((await lapis(['app', 'list', '--owner', 'alice', '--json'], env)).stdout);
    expect(list).toEqual([
      expect.objectContaining({
        appId,
        name: 'Dashboard',
        owner: 'alice',
        callbacks: 'https://example.test/cb http://localhost:3000/cb',
        scope: 'vso.build vso.profile',
      }),
    ]);
    expect(JSON.stringify(list)).not.toContain(clientSecret);

    const rotated = await lapis(['app', 'rotate-secret', appId], env);
    expect(rotated.status).toBe(0);
    expect(rotated.stdout).toMatch(/Client secret: \S{43}/);
    expect(rotated.stdout).not.toContain(clientSecret);

    // The consent page does not exist yet: alice's consent is given through the service, on the same database.
    const store = openSqliteStore(join(env.LAPIS_DATA_DIR, 'lapis.db'));
    try {
      const services = buildServices(store, { now: () => new Date() }, loadConfig({ env }));
      const alice = await services.users.get('alice');
      await authorizeCode(services, alice, { clientId: appId, redirectUri: 'https://example.test/cb' });
      const revoke = await lapis(['app', 'revoke-grant', '--user', 'alice', '--app', appId], env);
      expect(revoke.status).toBe(0);
      expect(revoke.stdout).toMatch(/Revoked 1 authorization of app/);
      expect((await services.oauthGrants.listForUser(alice)).map((g) => g.grant.revokedAt)).toEqual([expect.any(String)]);
    } finally {
      await store.close();
    }

    expect((await lapis(['app', 'remove', appId], env)).status).toBe(0);
    expect((await lapis(['app', 'list'], env)).stdout).toMatch(/No apps/);
    const missing = await lapis(['app', 'remove', appId], env);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/No OAuth application has the App ID/);
  });

  it('refuses an insecure callback and an unknown scope with one line', async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-cli-oauth-')) };
    expect((await lapis(['migrate'], env)).status).toBe(0);
    expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
    const base = ['app', 'add', '--owner', 'alice', '--name', 'x'];
    const insecure = await lapis([...base, '--callback', 'http://example.test/cb', '--scope', 'vso.build'], env);
    expect(insecure.status).not.toBe(0);
    expect(insecure.stderr.trim().split('\n')).toHaveLength(1);
    expect(insecure.stderr).toMatch(/must use https/);
    const unknown = await lapis([...base, '--callback', 'https://example.test/cb', '--scope', 'vso.nope'], env);
    expect(unknown.stderr).toMatch(/Unknown scope: vso.nope/);
  });

  it('edits the callbacks and scopes of an app, and says when there is nothing to change', { timeout: 120_000 }, async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-cli-edit-')) };
    expect((await lapis(['migrate'], env)).status).toBe(0);
    expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
    const added = await lapis(
      [
        'app',
        'add',
        '--owner',
        'alice',
        '--name',
        'Edited',
        '--callback',
        'https://example.test/cb',
        '--scope',
        'vso.build',
        '--json',
      ],
      env,
    );
    const { appId } = JSON.parse(added.stdout) as { appId: string };
    const edited = await lapis(
      ['app', 'edit', appId, '--callback', 'http://127.0.0.1:5000/callback', '--scope', 'vso.build vso.profile', '--json'],
      env,
    );
    expect(edited.status).toBe(0);
    expect(JSON.parse(edited.stdout)).toEqual({
      appId,
      callbacks: ['http://127.0.0.1:5000/callback'],
      scopes: ['vso.build', 'vso.profile'],
      revokedGrants: 0,
    });
    const listed = JSON.parse((await lapis(['app', 'list', '--json'], env)).stdout) as { callbacks: string; scope: string }[];
    expect(listed.map((app) => [app.callbacks, app.scope])).toEqual([
      ['http://127.0.0.1:5000/callback', 'vso.build vso.profile'],
    ]);
    const nothing = await lapis(['app', 'edit', appId], env);
    expect(nothing.status).toBe(1);
    expect(nothing.stderr.trim()).toBe('lapis: Nothing to change: give --callback and/or --scope.');
  });

  it('rotates the signing key, keeping the old one until asked to drop it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lapis-cli-keys-'));
    const env = { LAPIS_DATA_DIR: dataDir };
    expect((await lapis(['migrate'], env)).status).toBe(0);
    const first = JSON.parse((await lapis(['keys', 'rotate', '--json'], env)).stdout);
    expect(statSync(join(dataDir, 'oauth-keys.json')).mode & 0o777).toBe(0o600);
    expect(first.retired).toHaveLength(1);
    const keys = JSON.parse((await lapis(['keys', 'list', '--json'], env)).stdout) as { kid: string; status: string }[];
    expect(keys.map((k) => [k.kid, k.status])).toEqual([
      [first.active, 'active'],
      [first.retired[0], 'retired'],
    ]);
    const dropped = await lapis(['keys', 'rotate', '--drop-retired'], env);
    expect(dropped.status).toBe(0);
    expect(dropped.stdout).toMatch(/Dropped: /);
    expect(JSON.parse((await lapis(['keys', 'list', '--json'], env)).stdout)).toHaveLength(1);
  });
});
