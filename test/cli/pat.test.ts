import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('lapis pat', () => {
  const setup = () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-pat-')) };
    expect(runCli(['user', 'add', 'alice'], env).status).toBe(0);
    expect(runCli(['org', 'add', 'contoso', '--owner', 'alice'], env).status).toBe(0);
    return env;
  };

  it('creates a token printed alone on stdout, lists it without the secret and revokes it', () => {
    const env = setup();
    const created = runCli(
      ['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', 'ci', '--scope', 'vso.build vso.project', '--days', '7'],
      env,
    );
    expect(created.status).toBe(0);
    const token = created.stdout.trim();
    expect(created.stdout).toBe(`${token}\n`);
    expect(token).toMatch(/^.{76}AZDO.{4}$/);

    const listed = runCli(['pat', 'list', '--user', 'alice', '--json'], env);
    expect(listed.stdout).not.toContain(token);
    const [row] = JSON.parse(listed.stdout) as { authorizationId: string; status: string; organization: string; scope: string }[];
    expect(row).toMatchObject({ status: 'active', organization: 'contoso', scope: 'vso.build vso.project' });

    expect(runCli(['pat', 'revoke', row!.authorizationId], env).status).toBe(0);
    expect(JSON.parse(runCli(['pat', 'list', '--user', 'alice', '--json'], env).stdout)[0].status).toBe('revoked');
    // The database file holds the hash, never the token.
    expect(readFileSync(join(env.LAPIS_DATA_DIR, 'lapis.db')).includes(Buffer.from(token))).toBe(false);
  });

  it('prints the whole record once with --json, and global tokens show as all organizations', () => {
    const env = setup();
    const created = JSON.parse(
      runCli(['pat', 'create', '--user', 'alice', '--all-orgs', '--name', 'g', '--scope', 'app_token', '--json'], env).stdout,
    );
    expect(created).toMatchObject({ displayName: 'g', organizationId: null, scopes: ['app_token'] });
    expect(created.token).toMatch(/^.{76}AZDO.{4}$/);
    expect(created.tokenHash).toBeUndefined();
    expect(runCli(['pat', 'list', '--user', 'alice'], env).stdout).toMatch(/All accessible organizations/);
  });

  it('imports a legacy token from standard input', () => {
    const env = setup();
    const imported = runCli(
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
    [['--org', 'contoso', '--days', '400'], /at most 365 days/],
    [['--org', 'contoso', '--expires', '2001-01-01'], /must be in the future/],
    [['--org', 'contoso', '--expires', 'tomorrow'], /--expires must be an ISO-8601 date/],
    [['--org', 'contoso', '--scope', 'vso.bogus'], /Unknown scope: vso.bogus/],
  ])('refuses %j with one line', (args, message) => {
    const env = setup();
    const result = runCli(['pat', 'create', '--user', 'alice', '--name', 'x', '--scope', 'vso.build', ...args], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses to revoke an unknown authorization id', () => {
    const env = setup();
    const result = runCli(['pat', 'revoke', '00000000-0000-0000-0000-000000000000'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/No personal access token has the authorization id/);
  });
});
