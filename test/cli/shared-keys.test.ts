import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lapis } from '../support/cli.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const dataDir = (name: string) => mkdtempSync(join(tmpdir(), `lapis-keys-${name}-`));

/** migrate, then alice and contoso: the first command that opens the store records this directory's key fingerprints. */
async function setUp(env: Record<string, string>): Promise<void> {
  expect((await lapis(['migrate'], env)).status).toBe(0);
  expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
  expect((await lapis(['org', 'add', 'contoso', '--owner', 'alice'], env)).status).toBe(0);
}

const createPat = (env: Record<string, string>) =>
  lapis(['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', 'ci', '--scope', 'vso.build', '--days', '7'], env);

const refusal = (keys: string) =>
  new RegExp(`^lapis: this instance's ${keys} (differs|differ) from the one the database was set up with: give every instance`);

describe('CLI commands check the shared keys as serve does', { timeout: 120_000 }, () => {
  it('on SQLite: another token key or session key is refused with one line, and nothing is written', async () => {
    const env = { LAPIS_DATA_DIR: dataDir('sqlite') };
    await setUp(env);

    const otherToken = await createPat({ ...env, LAPIS_TOKEN_SECRET: randomBytes(32).toString('hex') });
    expect(otherToken.status).toBe(1);
    expect(otherToken.stdout).toBe('');
    expect(otherToken.stderr.trim().split('\n')).toHaveLength(1);
    expect(otherToken.stderr).toMatch(refusal('token key \\(from LAPIS_TOKEN_SECRET\\)'));

    const otherSession = await lapis(
      ['user', 'set-password', 'alice', '--password-stdin'],
      { ...env, LAPIS_SESSION_SECRET: randomBytes(32).toString('hex') },
      'a long enough password\n',
    );
    expect(otherSession.status).toBe(1);
    expect(otherSession.stderr).toMatch(refusal('session key \\(from LAPIS_SESSION_SECRET\\)'));

    // With the directory's own keys the same commands work, and the refused one created no token.
    expect(JSON.parse((await lapis(['pat', 'list', '--user', 'alice', '--json'], env)).stdout)).toEqual([]);
    expect((await createPat(env)).status).toBe(0);
  });

  it.skipIf(!postgresAvailable)(
    'on PostgreSQL: a second data directory with its own keys is refused naming each key and where it came from',
    async () => {
      const LAPIS_DATABASE_URL = `${postgresUrl}?schema=${uniqueSchema()}`;
      const first = { LAPIS_DATA_DIR: dataDir('first'), LAPIS_DATABASE_URL };
      await setUp(first);
      const second = { LAPIS_DATA_DIR: dataDir('second'), LAPIS_DATABASE_URL };
      const refused = await createPat(second);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(
        refusal(
          'token key \\(from .*token\\.key\\), session key \\(from .*session\\.key\\), OAuth signing keys \\(from .*oauth-keys\\.json\\)',
        ),
      );
      expect((await lapis(['user', 'list', '--json'], second)).status).toBe(1);
      expect(JSON.parse((await lapis(['pat', 'list', '--user', 'alice', '--json'], first)).stdout)).toEqual([]);
    },
  );
});
