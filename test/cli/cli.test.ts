import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type CliResult, lapis, runCli, runCliIntoClosedPipe, startServerProcess } from '../support/cli.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

function expectOneLineError(result: CliResult, message: RegExp): void {
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/);
}

// Starting `lapis serve` as a process takes seconds on a loaded machine; this bounds the wait, it asserts no speed.
const serverTestTimeout = 120_000;

const dataDir = () => mkdtempSync(join(tmpdir(), 'lapis-cli-'));

const stores = [
  { name: 'sqlite', available: true, env: () => ({ LAPIS_DATA_DIR: dataDir() }) },
  {
    name: 'postgres',
    available: postgresAvailable,
    env: () => ({ LAPIS_DATA_DIR: dataDir(), LAPIS_DATABASE_URL: `${postgresUrl}?schema=${uniqueSchema()}` }),
  },
];

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount === 1;
  } finally {
    await client.end();
  }
}

for (const store of stores) {
  describe.skipIf(!store.available)(`lapis CLI on ${store.name}`, () => {
    it(
      'manages users, organizations, members and projects beside a running server',
      async () => {
        const env = store.env();
        const server = await startServerProcess(env);
        try {
          expect(
            (
              await lapis(
                ['user', 'add', 'alice', '--password-stdin', '--email', 'alice@example.test'],
                env,
                'correct horse battery\n',
              )
            ).status,
          ).toBe(0);
          expect((await lapis(['org', 'add', 'contoso', '--owner', 'alice'], env)).status).toBe(0);
          expect((await lapis(['project', 'add', 'contoso', 'web', '--description', 'The web site'], env)).status).toBe(0);
          expect((await lapis(['user', 'add', 'bob'], env)).status).toBe(0);
          expect((await lapis(['org', 'member', 'add', 'contoso', 'bob'], env)).status).toBe(0);

          const users = JSON.parse((await lapis(['user', 'list', '--json'], env)).stdout) as {
            username: string;
            admin: boolean;
          }[];
          expect(users.map((u) => [u.username, u.admin])).toEqual([
            ['admin', true],
            ['alice', false],
            ['bob', false],
          ]);
          const orgs = JSON.parse((await lapis(['org', 'list', '--json'], env)).stdout) as { name: string; owner: string }[];
          expect(orgs).toEqual(
            expect.arrayContaining([
              expect.objectContaining({ name: 'contoso', owner: 'alice' }),
              expect.objectContaining({ name: 'default', owner: 'admin' }),
            ]),
          );
          const projects = (await lapis(['project', 'list', 'contoso'], env)).stdout;
          expect(projects).toMatch(/web\s+private\s+wellFormed\s+The web site/);
          expect(JSON.parse((await lapis(['org', 'member', 'list', 'contoso', '--json'], env)).stdout)).toHaveLength(2);

          expect((await lapis(['org', 'member', 'remove', 'contoso', 'bob'], env)).status).toBe(0);
          expect((await lapis(['user', 'disable', 'bob'], env)).status).toBe(0);
          expect(JSON.parse((await lapis(['user', 'list', '--json'], env)).stdout)[2]).toMatchObject({
            username: 'bob',
            disabled: true,
          });

          const health = await fetch(`${server.url}/_health`);
          expect(health.status).toBe(200);
        } finally {
          expect(await server.stop()).toBe(0);
        }
      },
      serverTestTimeout,
    );

    it('answers bad input with one clear line and a non-zero exit', async () => {
      const env = store.env();
      expect((await lapis(['migrate'], env)).status).toBe(0);
      expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
      expect((await lapis(['org', 'add', 'contoso', '--owner', 'alice'], env)).status).toBe(0);
      expectOneLineError(await lapis(['user', 'add', 'ALICE'], env), /User "ALICE" already exists/);
      expectOneLineError(
        await lapis(['org', 'add', 'Contoso', '--owner', 'alice'], env),
        /Organization "Contoso" already exists/,
      );
      expectOneLineError(await lapis(['project', 'add', 'nowhere', 'web'], env), /Organization "nowhere" does not exist/);
      expectOneLineError(
        await lapis(['org', 'add', 'bad name', '--owner', 'alice'], env),
        /Organization name "bad name" is invalid/,
      );
      expectOneLineError(await lapis(['user', 'add', 'x-'], env), /Username "x-" is invalid/);
      expectOneLineError(await lapis(['project', 'add', 'contoso', 'a/b'], env), /Project name "a\/b" is invalid/);
      expectOneLineError(await lapis(['org', 'member', 'add', 'contoso', 'alice'], env), /already a member/);
      expectOneLineError(await lapis(['org', 'member', 'remove', 'contoso', 'alice'], env), /owns "contoso"/);
      expectOneLineError(await lapis(['user', 'add', 'carol', '--password-stdin'], env, 'short'), /at least 12 characters/);
      expectOneLineError(
        await lapis(['project', 'add', 'contoso', 'web', '--visibility', 'secret'], env),
        /Visibility must be private or public/,
      );
    });

    it('says how to give a password later when a user is added without one', async () => {
      const env = store.env();
      expect((await lapis(['migrate'], env)).status).toBe(0);
      const added = await lapis(['user', 'add', 'bob', '--json'], env);
      expect(added.status).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({ username: 'bob' });
      expect(added.stderr).toBe(
        'bob has no password and cannot sign in until given one: lapis user set-password bob --password-stdin\n',
      );
      const withPassword = await lapis(['user', 'add', 'carol', '--password-stdin'], env, 'correct horse battery\n');
      expect(withPassword.stderr).toBe('');
    });
  });
}

describe('lapis CLI on a store that does not exist', () => {
  const commands = [
    ['user', 'list'],
    ['org', 'list'],
    ['pat', 'list', '--user', 'admin'],
    ['keys', 'list'],
    ['seed', 'demo'],
  ];

  it('names the SQLite file it looked for, exits non-zero and creates nothing', async () => {
    const env = { LAPIS_DATA_DIR: join(dataDir(), 'mistyped') };
    for (const args of commands) {
      expectOneLineError(
        await lapis(args, env),
        new RegExp(`no Lapis store at ${join(env.LAPIS_DATA_DIR, 'lapis.db')} \\(SQLite\\): run "lapis migrate"`),
      );
    }
    expect(existsSync(env.LAPIS_DATA_DIR)).toBe(false);
  });

  it('refuses an empty SQLite file', async () => {
    const env = { LAPIS_DATA_DIR: dataDir() };
    const empty = join(env.LAPIS_DATA_DIR, 'lapis.db');
    writeFileSync(empty, '');
    for (const args of [
      ['user', 'list'],
      ['user', 'add', 'alice'],
    ]) {
      expectOneLineError(await lapis(args, env), /no Lapis store at .*lapis\.db \(SQLite\)/);
    }
  });

  it.skipIf(!postgresAvailable)('names the PostgreSQL schema it looked for and does not create it', async () => {
    const schema = uniqueSchema();
    const env = { LAPIS_DATA_DIR: dataDir(), LAPIS_DATABASE_URL: `${postgresUrl}?schema=${schema}` };
    for (const args of commands) {
      expectOneLineError(
        await lapis(args, env),
        new RegExp(`no Lapis store at postgres://.*\\(schema ${schema}\\) \\(PostgreSQL\\)`),
      );
    }
    expect(await schemaExists(schema)).toBe(false);
    expect((await lapis(['migrate'], env)).status).toBe(0);
    expect((await lapis(['user', 'list'], env)).stdout).toMatch(/No users/);
  });
});

describe('lapis CLI configuration errors', () => {
  it('refuses a bad LAPIS_DATABASE_URL', async () => {
    expectOneLineError(
      await lapis(['user', 'list'], { LAPIS_DATA_DIR: dataDir(), LAPIS_DATABASE_URL: 'mysql://db/x' }),
      /LAPIS_DATABASE_URL must start with postgres/,
    );
  });

  it('reports an unreachable PostgreSQL without a stack trace', async () => {
    expectOneLineError(
      await lapis(['user', 'list'], { LAPIS_DATA_DIR: dataDir(), LAPIS_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' }),
      /cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test: ECONNREFUSED/,
    );
  });

  it('refuses a bad port flag and unknown commands', async () => {
    expectOneLineError(await lapis(['serve', '--port', 'http'], { LAPIS_DATA_DIR: dataDir() }), /--port must be an integer/);
    const unknown = await lapis(['frobnicate'], { LAPIS_DATA_DIR: dataDir() });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('prints help for every command', async () => {
    for (const args of [[], ['user'], ['user', 'add'], ['org', 'member'], ['project', 'list'], ['serve'], ['migrate']]) {
      const result = await lapis([...args, '--help'], { LAPIS_DATA_DIR: dataDir() });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: lapis/);
    }
  });
});

describe('the lapis binary', () => {
  it('prints its version and exits 0', () => {
    const result = runCli(['--version'], {});
    expect(result).toEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('exits 1 with one line on a failure and 1 on a usage error', () => {
    expectOneLineError(runCli(['user', 'list'], { LAPIS_DATA_DIR: join(dataDir(), 'missing') }), /^lapis: no Lapis store at /);
    const usage = runCli(['user', 'frobnicate'], {});
    expect(usage.status).toBe(1);
    expect(usage.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('ends quietly when its standard output is closed early (lapis … | head)', async () => {
    const result = await runCliIntoClosedPipe(['--help']);
    expect(result).toEqual({ status: 0, stderr: '' });
  });
});
