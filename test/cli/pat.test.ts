import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lapis } from '../support/cli.js';

describe('lapis pat', () => {
  const setup = async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-pat-')) };
    expect((await lapis(['migrate'], env)).status).toBe(0);
    expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
    expect((await lapis(['org', 'add', 'contoso', '--owner', 'alice'], env)).status).toBe(0);
    return env;
  };

  it('creates a token printed alone on stdout, lists it without the secret and revokes it', async () => {
    const env = await setup();
    const created = await lapis(
      ['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', 'ci', '--scope', 'vso.build vso.project', '--days', '7'],
      env,
    );
    expect(created.status).toBe(0);
    const token = created.stdout.trim();
    expect(created.stdout).toBe(`${token}\n`);
    expect(token).toMatch(/^.{76}AZDO.{4}$/);

    const listed = await lapis(['pat', 'list', '--user', 'alice', '--json'], env);
    expect(listed.stdout).not.toContain(token);
    const [row] = JSON.parse(listed.stdout) as { authorizationId: string; status: string; organization: string; scope: string }[];
    expect(row).toMatchObject({ status: 'active', organization: 'contoso', scope: 'vso.build vso.project' });

    expect((await lapis(['pat', 'revoke', row!.authorizationId], env)).status).toBe(0);
    expect(JSON.parse((await lapis(['pat', 'list', '--user', 'alice', '--json'], env)).stdout)[0].status).toBe('revoked');
    // The database file holds the hash, never the token.
    expect(readFileSync(join(env.LAPIS_DATA_DIR, 'lapis.db')).includes(Buffer.from(token))).toBe(false);
  });

  it('prints with --json the record pat list --json shows, plus the token once', async () => {
    const env = await setup();
    const created = JSON.parse(
      (await lapis(['pat', 'create', '--user', 'alice', '--all-orgs', '--name', 'g', '--scope', 'app_token', '--json'], env))
        .stdout,
    );
    expect(created.token).toMatch(/^.{76}AZDO.{4}$/);
    const { token, ...record } = created;
    const listed = JSON.parse((await lapis(['pat', 'list', '--user', 'alice', '--json'], env)).stdout);
    expect(listed).toEqual([record]);
    expect(record).toMatchObject({
      name: 'g',
      organization: 'All accessible organizations',
      scope: 'app_token',
      status: 'active',
    });
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await lapis(['pat', 'list', '--user', 'alice'], env)).stdout).toMatch(/All accessible organizations/);
  });

  it('imports a legacy token from standard input', async () => {
    const env = await setup();
    const imported = await lapis(
      ['pat', 'import', '--user', 'alice', '--org', 'contoso', '--name', 'old', '--scope', 'vso.build'],
      env,
      'dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq\n',
    );
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/Imported token [0-9a-f-]{36}/);
  });

  it.each([
    [['--org', 'contoso', '--all-orgs'], /exactly one of --org <name> or --all-orgs/],
    [['--org', 'nowhere'], /Organization "nowhere" does not exist/],
    [['--org', 'contoso', '--days', '400'], /^lapis: --days must be a whole number from 1 to 365, not "400"\.$/],
    [['--org', 'contoso', '--days', '0'], /^lapis: --days must be a whole number from 1 to 365, not "0"\.$/],
    [['--org', 'contoso', '--days', '1.5'], /^lapis: --days must be a whole number from 1 to 365, not "1\.5"\.$/],
    [['--org', 'contoso', '--expires', '2001-01-01'], /must be in the future/],
    [['--org', 'contoso', '--expires', 'tomorrow'], /--expires must be an ISO-8601 date/],
    [['--org', 'contoso', '--scope', 'vso.bogus'], /Unknown scope: vso.bogus/],
  ])('refuses %j with one line', async (args, message) => {
    const env = await setup();
    const result = await lapis(['pat', 'create', '--user', 'alice', '--name', 'x', '--scope', 'vso.build', ...args], env);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the configured maximum in the --days message', async () => {
    const env = { ...(await setup()), LAPIS_PAT_MAX_LIFETIME_DAYS: '30' };
    const result = await lapis(
      ['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', 'x', '--scope', 'vso.build', '--days', '31'],
      env,
    );
    expect(result.stderr).toBe('lapis: --days must be a whole number from 1 to 30, not "31".\n');
  });

  it('refuses to revoke an unknown authorization id', async () => {
    const env = await setup();
    const result = await lapis(['pat', 'revoke', '00000000-0000-0000-0000-000000000000'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/No personal access token has the authorization id/);
  });
});
