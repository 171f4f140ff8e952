import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { describeKeyMismatch, loadSecret } from '../../src/config/secrets.js';

describe('server secrets', () => {
  it('generates a key once into the data dir with mode 0600 and reads it back', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lapis-secret-'));
    const config = loadConfig({ env: { LAPIS_DATA_DIR: dataDir } });
    const first = loadSecret(config, 'token');
    expect(first).toHaveLength(32);
    expect(loadSecret(config, 'token').equals(first)).toBe(true);
    expect(loadSecret(config, 'session').equals(first)).toBe(false);
    const file = join(dataDir, 'token.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
  });

  it('uses a configured value and refuses one that is too short', () => {
    const hex = 'ab'.repeat(32);
    expect(loadSecret(loadConfig({ env: { LAPIS_TOKEN_SECRET: hex } }), 'token').toString('hex')).toBe(hex);
    expect(() => loadSecret(loadConfig({ env: { LAPIS_SESSION_SECRET: 'c2hvcnQ=' } }), 'session')).toThrowError(
      /LAPIS_SESSION_SECRET must hold at least 32 bytes/,
    );
  });
});

describe('secrets from files', () => {
  it('reads LAPIS_TOKEN_SECRET_FILE and LAPIS_SESSION_SECRET_FILE and never generates them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapis-secret-file-'));
    const file = join(dir, 'token-secret');
    writeFileSync(file, `${'cd'.repeat(32)}\n`);
    const dataDir = join(dir, 'data');
    const config = loadConfig({ env: { LAPIS_DATA_DIR: dataDir, LAPIS_TOKEN_SECRET_FILE: file } });
    expect(loadSecret(config, 'token').toString('hex')).toBe('cd'.repeat(32));
    expect(existsSync(join(dataDir, 'token.key'))).toBe(false);

    const missing = loadConfig({ env: { LAPIS_DATA_DIR: dataDir, LAPIS_SESSION_SECRET_FILE: join(dir, 'absent') } });
    expect(() => loadSecret(missing, 'session')).toThrowError(/LAPIS_SESSION_SECRET_FILE: cannot read .*absent: ENOENT/);
    expect(existsSync(join(dataDir, 'session.key'))).toBe(false);
  });

  it('names what to share when keys differ, in one line', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lapis-secret-'));
    const line = describeKeyMismatch(loadConfig({ env: { LAPIS_DATA_DIR: dataDir, LAPIS_SESSION_SECRET: 'ab'.repeat(32) } }), [
      'token',
      'session',
    ]);
    expect(line).not.toContain('\n');
    expect(line).toContain(`token key (from ${join(dataDir, 'token.key')})`);
    expect(line).toContain('session key (from LAPIS_SESSION_SECRET)');
    expect(line).toMatch(/same LAPIS_TOKEN_SECRET, LAPIS_SESSION_SECRET .* and LAPIS_OAUTH_KEYS_FILE/);
  });
});
