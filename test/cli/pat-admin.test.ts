import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lapis } from '../support/cli.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'lapis-pat-admin-'));

const stores = [
  { name: 'sqlite', available: true, env: () => ({ LAPIS_DATA_DIR: dataDir() }) },
  {
    name: 'postgres',
    available: postgresAvailable,
    env: () => ({ LAPIS_DATA_DIR: dataDir(), LAPIS_DATABASE_URL: `${postgresUrl}?schema=${uniqueSchema()}` }),
  },
];

interface Row {
  authorizationId: string;
  name: string;
  status: string;
}
interface Entry {
  action: string;
  via: string;
  actorName: string;
  organizationId: string | null;
  details: string;
  data: Record<string, unknown>;
}

for (const store of stores) {
  describe.skipIf(!store.available)(`lapis pat revoke --all, revoke-rule and audited admin commands on ${store.name}`, () => {
    const setup = async () => {
      const env = store.env();
      for (const args of [
        ['migrate'],
        ['user', 'add', 'alice'],
        ['user', 'add', 'bob'],
        ['org', 'add', 'contoso', '--owner', 'alice'],
        ['org', 'add', 'fabrikam', '--owner', 'alice'],
        ['org', 'member', 'add', 'contoso', 'bob'],
        ['org', 'member', 'add', 'fabrikam', 'bob'],
      ]) {
        const result = await lapis(args, env);
        expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      }
      return env;
    };
    const create = async (env: Record<string, string>, name: string, scope: string, where: string[]) => {
      const created = await lapis(['pat', 'create', '--user', 'bob', ...where, '--name', name, '--scope', scope], env);
      expect(created.status, created.stderr).toBe(0);
    };
    const statuses = async (env: Record<string, string>) =>
      Object.fromEntries(
        (JSON.parse((await lapis(['pat', 'list', '--user', 'bob', '--json'], env)).stdout) as Row[]).map((row) => [
          row.name,
          row.status,
        ]),
      );

    it('revokes every token of a user, or those that work in one organization', async () => {
      const env = await setup();
      await create(env, 'contoso', 'vso.build', ['--org', 'contoso']);
      await create(env, 'global', 'vso.build', ['--all-orgs']);
      await create(env, 'fabrikam', 'vso.build', ['--org', 'fabrikam']);
      const inContoso = await lapis(['pat', 'revoke', '--user', 'bob', '--all', '--org', 'contoso'], env);
      expect(inContoso.status, inContoso.stderr).toBe(0);
      expect(inContoso.stdout).toBe('Revoked 2 tokens of bob working in contoso\n');
      expect(await statuses(env)).toEqual({ contoso: 'revoked', global: 'revoked', fabrikam: 'active' });
      const everywhere = await lapis(['pat', 'revoke', '--user', 'bob', '--all'], env);
      expect(everywhere.stdout).toBe('Revoked 1 token of bob\n');
      expect(await statuses(env)).toEqual({ contoso: 'revoked', global: 'revoked', fabrikam: 'revoked' });

      const neither = await lapis(['pat', 'revoke', '--user', 'bob'], env);
      expect(neither.status).not.toBe(0);
      expect(neither.stderr).toMatch(/--user <username> --all/);
      const both = await lapis(['pat', 'revoke', 'some-id', '--user', 'bob', '--all'], env);
      expect(both.stderr).toMatch(/not both/);
      expect((await lapis(['user', 'add', 'carol'], env)).status).toBe(0);
      const outsider = await lapis(['pat', 'revoke', '--user', 'carol', '--all', '--org', 'contoso'], env);
      expect(outsider.status).not.toBe(0);
      expect(outsider.stderr).toMatch(/not a member of "contoso"/);
    });

    it('revokes by rule: matching tokens list as revoked, the others stay active', async () => {
      const env = await setup();
      await create(env, 'build', 'vso.build_execute', ['--org', 'contoso']);
      await create(env, 'code', 'vso.code', ['--all-orgs']);
      await create(env, 'project', 'vso.project', ['--org', 'contoso']);
      await create(env, 'elsewhere', 'vso.build', ['--org', 'fabrikam']);
      const createdBefore = new Date(Date.now() + 1000).toISOString();
      const added = await lapis(
        ['pat', 'revoke-rule', '--org', 'contoso', '--scopes', 'vso.build vso.code', '--created-before', createdBefore],
        env,
      );
      expect(added.status, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/^Added revocation rule \S+: vso\.build vso\.code created before /);
      expect(await statuses(env)).toEqual({ build: 'revoked', code: 'revoked', project: 'active', elsewhere: 'active' });

      const badScope = await lapis(
        ['pat', 'revoke-rule', '--org', 'contoso', '--scopes', 'vso.nothing', '--created-before', createdBefore],
        env,
      );
      expect(badScope.status).not.toBe(0);
      expect(badScope.stderr).toMatch(/vso\.nothing/);
      const badTime = await lapis(
        ['pat', 'revoke-rule', '--org', 'contoso', '--scopes', 'vso.code', '--created-before', 'soon'],
        env,
      );
      expect(badTime.stderr).toMatch(/createdBefore must be a date and time/);
    });

    it('records administrative commands in the audit log with the CLI as the way in', async () => {
      const env = await setup();
      await create(env, 'ci', 'vso.build', ['--org', 'contoso']);
      const id = (JSON.parse((await lapis(['pat', 'list', '--user', 'bob', '--json'], env)).stdout) as Row[])[0]?.authorizationId;
      expect((await lapis(['pat', 'revoke', '--user', 'bob', '--all'], env)).status).toBe(0);
      expect(
        (
          await lapis(
            ['pat', 'revoke-rule', '--org', 'contoso', '--scopes', 'vso.code', '--created-before', '2026-01-01T00:00:00Z'],
            env,
          )
        ).status,
      ).toBe(0);
      const webhook = JSON.parse(
        (
          await lapis(
            ['webhook', 'add', '--org', 'contoso', '--url', 'https://hooks.example.test/lapis', '--json'],
            env,
            's3cret-signing-key-0123',
          )
        ).stdout,
      );
      expect((await lapis(['webhook', 'remove', webhook.id, '--org', 'contoso'], env)).status).toBe(0);
      expect((await lapis(['org', 'member', 'remove', 'fabrikam', 'bob'], env)).status).toBe(0);
      expect((await lapis(['user', 'disable', 'bob'], env)).status).toBe(0);
      expect((await lapis(['policy', 'set', 'full-scope', '--org', 'contoso', '--mode', 'warn'], env)).status).toBe(0);

      const entries = JSON.parse((await lapis(['audit', '--json'], env)).stdout) as Entry[];
      for (const entry of entries)
        expect(entry, entry.details).toMatchObject({ via: 'cli', actorName: expect.stringMatching(/\(CLI\)$/) });
      const operations = entries.filter((e) => e.action === 'admin.action').map((e) => `${e.data.operation} ${e.data.target}`);
      expect(operations).toEqual(
        expect.arrayContaining([
          'user.added alice',
          'user.added bob',
          'organization.added contoso',
          'organization.memberAdded contoso',
          'organization.memberRemoved fabrikam',
          'user.disabled bob',
          'webhook.added contoso',
          'webhook.removed contoso',
          'revocationRule.added contoso',
          'policy.changed contoso',
        ]),
      );
      expect(entries.find((e) => e.action === 'token.revoked')?.data.authorizationId).toBe(id);
      expect(JSON.stringify(entries)).not.toContain('s3cret-signing-key-0123');
    });
  });
}
