import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadSecret } from '../../src/config/secrets.js';

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
