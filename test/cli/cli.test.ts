import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, runCli, startServerProcess } from '../support/cli.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

function expectOneLineError(result: CliResult, message: RegExp): void {
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/);
}

const stores = [
  { name: 'sqlite', available: true, env: () => ({ LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-cli-')) }) },
  {
    name: 'postgres',
    available: postgresAvailable,
    env: () => {
      const schema = uniqueSchema();
      return { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-cli-')), LAPIS_DATABASE_URL: `${postgresUrl}?schema=${schema}` };
    },
  },
];

for (const store of stores) {
  describe.skipIf(!store.available)(`lapis CLI on ${store.name}`, () => {
    it('manages users, organizations, members and projects against a running server', async () => {
      const env = store.env();
      const server = await startServerProcess(env);
      try {
        expect(
          runCli(['user', 'add', 'alice', '--password-stdin', '--email', 'alice@example.test'], env, 'correct horse battery\n')
            .status,
        ).toBe(0);
        expect(runCli(['org', 'add', 'contoso', '--owner', 'alice'], env).status).toBe(0);
        expect(runCli(['project', 'add', 'contoso', 'web', '--description', 'The web site'], env).status).toBe(0);
        expect(runCli(['user', 'add', 'bob'], env).status).toBe(0);
        expect(runCli(['org', 'member', 'add', 'contoso', 'bob'], env).status).toBe(0);

        const users = JSON.parse(runCli(['user', 'list', '--json'], env).stdout) as { username: string; admin: boolean }[];
        expect(users.map((u) => [u.username, u.admin])).toEqual([
          ['admin', true],
          ['alice', false],
          ['bob', false],
        ]);
        const orgs = JSON.parse(runCli(['org', 'list', '--json'], env).stdout) as { name: string; owner: string }[];
        expect(orgs).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ name: 'contoso', owner: 'alice' }),
            expect.objectContaining({ name: 'default', owner: 'admin' }),
          ]),
        );
        const projects = runCli(['project', 'list', 'contoso'], env).stdout;
        expect(projects).toMatch(/web\s+private\s+wellFormed\s+The web site/);
        expect(JSON.parse(runCli(['org', 'member', 'list', 'contoso', '--json'], env).stdout)).toHaveLength(2);

        expect(runCli(['org', 'member', 'remove', 'contoso', 'bob'], env).status).toBe(0);
        expect(runCli(['user', 'disable', 'bob'], env).status).toBe(0);
        expect(JSON.parse(runCli(['user', 'list', '--json'], env).stdout)[2]).toMatchObject({ username: 'bob', disabled: true });

        const health = await fetch(`${server.url}/_health`);
        expect(health.status).toBe(200);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    });

    it('answers bad input with one clear line and a non-zero exit', () => {
      const env = store.env();
      expect(runCli(['user', 'add', 'alice'], env).status).toBe(0);
      expect(runCli(['org', 'add', 'contoso', '--owner', 'alice'], env).status).toBe(0);
      expectOneLineError(runCli(['user', 'add', 'ALICE'], env), /User "ALICE" already exists/);
      expectOneLineError(runCli(['org', 'add', 'Contoso', '--owner', 'alice'], env), /Organization "Contoso" already exists/);
      expectOneLineError(runCli(['project', 'add', 'nowhere', 'web'], env), /Organization "nowhere" does not exist/);
      expectOneLineError(runCli(['org', 'add', 'bad name', '--owner', 'alice'], env), /Organization name "bad name" is invalid/);
      expectOneLineError(runCli(['user', 'add', 'x-'], env), /Username "x-" is invalid/);
      expectOneLineError(runCli(['project', 'add', 'contoso', 'a/b'], env), /Project name "a\/b" is invalid/);
      expectOneLineError(runCli(['org', 'member', 'add', 'contoso', 'alice'], env), /already a member/);
      expectOneLineError(runCli(['org', 'member', 'remove', 'contoso', 'alice'], env), /owns "contoso"/);
      expectOneLineError(runCli(['user', 'add', 'carol', '--password-stdin'], env, 'short'), /at least 12 characters/);
      expectOneLineError(
        runCli(['project', 'add', 'contoso', 'web', '--visibility', 'secret'], env),
        /Visibility must be private or public/,
      );
    });
  });
}

describe('lapis CLI configuration errors', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'lapis-cli-'));

  it('refuses a bad LAPIS_DATABASE_URL', () => {
    expectOneLineError(
      runCli(['user', 'list'], { LAPIS_DATA_DIR: dataDir(), LAPIS_DATABASE_URL: 'mysql://db/x' }),
      /LAPIS_DATABASE_URL must start with postgres/,
    );
  });

  it('reports an unreachable PostgreSQL without a stack trace', () => {
    expectOneLineError(
      runCli(['user', 'list'], { LAPIS_DATA_DIR: dataDir(), LAPIS_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' }),
      /cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test: ECONNREFUSED/,
    );
  });

  it('refuses a bad port flag and unknown commands', () => {
    expectOneLineError(runCli(['serve', '--port', 'http'], { LAPIS_DATA_DIR: dataDir() }), /--port must be an integer/);
    const unknown = runCli(['frobnicate'], { LAPIS_DATA_DIR: dataDir() });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('prints help for every command', () => {
    for (const args of [[], ['user'], ['user', 'add'], ['org', 'member'], ['project', 'list'], ['serve'], ['migrate']]) {
      const result = runCli([...args, '--help'], { LAPIS_DATA_DIR: dataDir() });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: lapis/);
    }
  });
});
