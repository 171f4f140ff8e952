import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/services/passwords.js';
import type { Store } from '../../src/storage/ports.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { apiStatus } from '../support/api-call.js';
import { runCli, startServerProcess } from '../support/cli.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const mode = (file: string) => statSync(file).mode & 0o777;

function passwordFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .filter((name) => name.startsWith('initial-admin-password'))
    .map((name) => join(dataDir, name));
}

/** The password reached the operator only if it opens the admin stored in the database. */
async function opensAdmin(store: Store, password: string): Promise<boolean> {
  try {
    const admin = await store.users.findByUsername('admin');
    return admin?.passwordHash ? await verifyPassword(admin.passwordHash, password) : false;
  } finally {
    await store.close();
  }
}

function sharedSecrets(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'lapis-shared-'));
  return {
    LAPIS_TOKEN_SECRET: randomBytes(32).toString('hex'),
    LAPIS_SESSION_SECRET: randomBytes(32).toString('base64'),
    LAPIS_OAUTH_KEYS_FILE: join(dir, 'oauth-keys.json'),
  };
}

describe('first start on SQLite', { timeout: 120_000 }, () => {
  it('without a terminal: writes the password only into a 0600 file named after the store, and says where', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'lapis-first-')), 'data');
    const env = { LAPIS_DATA_DIR: dataDir };
    const first = await startServerProcess(env);
    expect(await first.stop()).toBe(0);

    const [file, ...others] = passwordFiles(dataDir);
    expect(others).toEqual([]);
    expect(file).toBe(join(dataDir, 'initial-admin-password.sqlite-lapis-db'));
    const password = readFileSync(file as string, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(first.output()).not.toContain(password);
    expect(first.output()).toContain(`Created user "admin"; its password is in ${file} (mode 0600`);
    expect(first.output()).toContain('change it at /_usersSettings/password');
    expect(mode(file as string)).toBe(0o600);
    expect(await opensAdmin(openSqliteStore(join(dataDir, 'lapis.db')), password)).toBe(true);

    const second = await startServerProcess(env);
    expect(await second.stop('SIGINT')).toBe(0);
    expect(second.output()).not.toMatch(/Created user/);
    expect(JSON.parse(runCli(['user', 'list', '--json'], env).stdout)).toHaveLength(1);
  });

  it('creates lapis.db and its WAL and SHM files with mode 0600, in a 0700 data directory', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'lapis-modes-')), 'data');
    const server = await startServerProcess({ LAPIS_DATA_DIR: dataDir });
    try {
      // WAL and SHM exist while a connection is open.
      for (const name of ['lapis.db', 'lapis.db-wal', 'lapis.db-shm', 'token.key', 'session.key']) {
        expect([name, mode(join(dataDir, name))]).toEqual([name, 0o600]);
      }
      expect(mode(dataDir)).toBe(0o700);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('starts again after `lapis keys rotate`, which records the new signing keys', async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-rotate-')) };
    expect(await (await startServerProcess(env)).stop()).toBe(0);
    expect(runCli(['keys', 'rotate'], env).status).toBe(0);
    const again = await startServerProcess(env);
    expect(await again.stop()).toBe(0);
  });

  it('with a terminal: prints the password once, and it is also in the file', async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-tty-')) };
    const server = await startServerProcess(env, { terminal: true });
    await server.stop();
    const password = /Created user "admin" with password: (\S+)/.exec(server.output())?.[1];
    expect(password).toBeDefined();
    const [file] = passwordFiles(env.LAPIS_DATA_DIR);
    expect(readFileSync(file as string, 'utf8').trim()).toBe(password);
  });
});

describe.skipIf(!postgresAvailable)('first start on PostgreSQL', { timeout: 120_000 }, () => {
  it('creates a data directory that does not exist and keeps the SQLite admin’s file apart', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'lapis-pg-first-')), 'not', 'yet');
    const sqlite = await startServerProcess({ LAPIS_DATA_DIR: dataDir });
    expect(await sqlite.stop()).toBe(0);
    const [sqliteFile] = passwordFiles(dataDir);
    const sqlitePassword = readFileSync(sqliteFile as string, 'utf8');

    const schema = uniqueSchema();
    const databaseUrl = `${postgresUrl}?schema=${schema}`;
    const postgres = await startServerProcess({ LAPIS_DATA_DIR: dataDir, LAPIS_DATABASE_URL: databaseUrl });
    expect(await postgres.stop()).toBe(0);

    const files = passwordFiles(dataDir);
    expect(files).toHaveLength(2);
    const postgresFile = files.find((file) => file !== sqliteFile) as string;
    expect(postgresFile).toMatch(new RegExp(`initial-admin-password\\.postgres-.*-${schema.replace(/_/g, '-')}$`));
    expect(readFileSync(sqliteFile as string, 'utf8')).toBe(sqlitePassword);
    expect(postgres.output()).toContain(postgresFile);
    const password = readFileSync(postgresFile, 'utf8').trim();
    expect(await opensAdmin(openPostgresStore({ url: postgresUrl, schema }), password)).toBe(true);
  });

  it('two instances starting together on a fresh schema create exactly one admin, whose password reaches its operator', async () => {
    const schema = uniqueSchema();
    const shared = { ...sharedSecrets(), LAPIS_DATABASE_URL: `${postgresUrl}?schema=${schema}` };
    const dataDirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'lapis-race-')));
    // Settled, not all: when one instance fails to start, the other is still stopped rather than left running.
    const started = await Promise.allSettled(dataDirs.map((dir) => startServerProcess({ ...shared, LAPIS_DATA_DIR: dir })));
    const servers = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const exitCodes = await Promise.all(servers.map((server) => server.stop()));
    expect(started.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'started'))).toEqual([
      'started',
      'started',
    ]);
    expect(exitCodes).toEqual([0, 0]);

    expect(servers.filter((server) => /Created user "admin"/.test(server.output()))).toHaveLength(1);
    const files = dataDirs.flatMap(passwordFiles);
    expect(files).toHaveLength(1);
    const password = readFileSync(files[0] as string, 'utf8').trim();
    expect(await opensAdmin(openPostgresStore({ url: postgresUrl, schema }), password)).toBe(true);
    const users = JSON.parse(runCli(['user', 'list', '--json'], { ...shared, LAPIS_DATA_DIR: dataDirs[0] as string }).stdout);
    expect(users).toHaveLength(1);
  });

  it('refuses an instance whose keys differ, with one line saying what to share', async () => {
    const databaseUrl = `${postgresUrl}?schema=${uniqueSchema()}`;
    const first = await startServerProcess({
      LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-a-')),
      LAPIS_DATABASE_URL: databaseUrl,
    });
    try {
      const otherDir = mkdtempSync(join(tmpdir(), 'lapis-b-'));
      const refused = runCli(['serve', '--port', '0'], { LAPIS_DATA_DIR: otherDir, LAPIS_DATABASE_URL: databaseUrl });
      expect(refused.status).toBe(1);
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^lapis: this instance's token key \(from .*token\.key\), session key \(from .*session\.key\), OAuth signing keys \(from .*oauth-keys\.json\) differ from the one the database was set up with: give every instance sharing a database the same LAPIS_TOKEN_SECRET/,
      );
      expect(refused.stdout).not.toMatch(/listening/);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  it('accepts instances that share their secrets: a token made through one works on the other', async () => {
    const shared = { ...sharedSecrets(), LAPIS_DATABASE_URL: `${postgresUrl}?schema=${uniqueSchema()}` };
    const first = await startServerProcess({ ...shared, LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-a-')) });
    const secondEnv = { ...shared, LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-b-')) };
    const second = await startServerProcess(secondEnv);
    try {
      const created = runCli(
        ['pat', 'create', '--user', 'admin', '--name', 'shared', '--scope', 'vso.profile', '--org', 'default', '--json'],
        secondEnv,
      );
      expect(created.status).toBe(0);
      const token = (JSON.parse(created.stdout) as { token: string }).token;
      expect(await apiStatus(first.url, 'default', token)).toBe(200);
      expect(await apiStatus(second.url, 'default', token)).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
      expect(await first.stop()).toBe(0);
    }
  });
});
