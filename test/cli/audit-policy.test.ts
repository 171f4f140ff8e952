import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lapis } from '../support/cli.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'lapis-audit-'));

const stores = [
  { name: 'sqlite', available: true, env: () => ({ LAPIS_DATA_DIR: dataDir() }) },
  {
    name: 'postgres',
    available: postgresAvailable,
    env: () => ({ LAPIS_DATA_DIR: dataDir(), LAPIS_DATABASE_URL: `${postgresUrl}?schema=${uniqueSchema()}` }),
  },
];

for (const store of stores) {
  describe.skipIf(!store.available)(`lapis audit and lapis policy on ${store.name}`, () => {
    const setup = async () => {
      const env = store.env();
      expect((await lapis(['migrate'], env)).status).toBe(0);
      expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
      expect((await lapis(['org', 'add', 'contoso', '--owner', 'alice'], env)).status).toBe(0);
      return env;
    };
    const create = (env: Record<string, string>, scope: string, days: string) =>
      lapis(['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', scope, '--scope', scope, '--days', days], env);

    it('sets and shows policies, lists violating tokens before enforce, then refuses', async () => {
      const env = await setup();
      const wide = await create(env, 'app_token', '90');
      expect(wide.status).toBe(0);
      expect(
        (await lapis(['policy', 'set', 'max-lifespan', '--org', 'contoso', '--mode', 'audit', '--days', '30'], env)).status,
      ).toBe(0);
      expect((await lapis(['policy', 'set', 'full-scope', '--org', 'contoso', '--mode', 'warn'], env)).status).toBe(0);
      const shown = JSON.parse((await lapis(['policy', 'show', '--org', 'contoso', '--json'], env)).stdout);
      expect(shown).toEqual([
        { policy: 'maxLifespan', mode: 'audit', maxDays: 30, allow: '' },
        { policy: 'fullScope', mode: 'warn', maxDays: null, allow: '' },
        { policy: 'globalTokens', mode: 'off', maxDays: null, allow: '' },
      ]);
      const violating = JSON.parse((await lapis(['policy', 'show', '--org', 'contoso', '--violations', '--json'], env)).stdout);
      expect(violating).toEqual([
        expect.objectContaining({ owner: 'alice', name: 'app_token', policies: 'maxLifespan (audit), fullScope (warn)' }),
      ]);
      expect((await lapis(['policy', 'set', 'max-lifespan', '--org', 'contoso', '--mode', 'enforce'], env)).status).toBe(0);
      const refused = await create(env, 'vso.build', '31');
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/limits personal access tokens to 30 days/);
      expect((await create(env, 'vso.build', '30')).status).toBe(0);

      const badMode = await lapis(['policy', 'set', 'full-scope', '--org', 'contoso', '--mode', 'loud'], env);
      expect(badMode.stderr).toMatch(/--mode must be one of off, audit, warn, enforce/);
      const badPolicy = await lapis(['policy', 'set', 'colour', '--org', 'contoso', '--mode', 'warn'], env);
      expect(badPolicy.stderr).toMatch(/max-lifespan, full-scope or global-tokens/);
    });

    it('shows the audit log as a table, as JSON and as streamed JSON lines, with the CLI as the way in', async () => {
      const env = await setup();
      const token = (await create(env, 'vso.build', '7')).stdout.trim();
      const id = JSON.parse((await lapis(['pat', 'list', '--user', 'alice', '--json'], env)).stdout)[0].authorizationId;
      expect((await lapis(['pat', 'revoke', id], env)).status).toBe(0);

      const table = await lapis(['audit', '--org', 'contoso', '--since', '1d'], env);
      expect(table.status).toBe(0);
      expect(table.stdout).toMatch(/token\.revoked\s+\S+ \(CLI\)\s+cli/);
      expect(table.stdout).toMatch(/token\.created/);

      const json = JSON.parse((await lapis(['audit', '--org', 'contoso', '--json'], env)).stdout);
      // `org add` recorded its admin action too (test/cli/pat-admin.test.ts covers those).
      expect(json.map((e: { action: string }) => e.action)).toEqual(['token.revoked', 'token.created', 'admin.action']);
      expect(json[0]).toMatchObject({ via: 'cli', data: { authorizationId: id } });

      const lines = (await lapis(['audit', '--jsonl', '--action', 'token.created'], env)).stdout.trim().split('\n');
      expect(lines.map((l) => JSON.parse(l).action)).toEqual(['token.created']);
      expect((await lapis(['audit', '--json'], env)).stdout).not.toContain(token);

      expect((await lapis(['audit', '--since', 'yesterday'], env)).stderr).toMatch(/--since must be a number and a unit/);
      expect((await lapis(['audit', '--org', 'nowhere'], env)).status).not.toBe(0);
    });
  });
}
