import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { renderConfigurationDoc } from '../../src/config/render-docs.js';
import { ConfigError, configSchema, parseOffset } from '../../src/config/schema.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: './.lapis', databaseUrl: '', logLevel: 'info' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('layers defaults <- file <- env <- flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapis-config-'));
    const file = join(dir, 'lapis.json');
    writeFileSync(file, JSON.stringify({ port: 9000, host: '0.0.0.0', logLevel: 'debug' }));
    const config = loadConfig({ file, env: { LAPIS_PORT: '9100', LAPIS_HOST: '::1' }, flags: { port: '9200' } });
    expect(config.port).toBe(9200);
    expect(config.host).toBe('::1');
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    [{ LAPIS_PORT: 'eighty' }, /LAPIS_PORT must be an integer/],
    [{ LAPIS_PORT: '70000' }, /LAPIS_PORT must be between 0 and 65535/],
    [{ LAPIS_LOG_LEVEL: 'loud' }, /LAPIS_LOG_LEVEL must be one of/],
    [{ LAPIS_DATABASE_URL: 'mysql://localhost/x' }, /LAPIS_DATABASE_URL must start with postgres/],
    [{ LAPIS_DATABASE_URL: 'postgres://[bad' }, /not a valid PostgreSQL URL/],
    [{ LAPIS_TRUST_PROXY: 'maybe' }, /LAPIS_TRUST_PROXY: "maybe" is not an IP address/],
    [{ LAPIS_TRUST_PROXY: '10.0.0.0/33' }, /LAPIS_TRUST_PROXY: "10.0.0.0\/33" is not/],
    [{ LAPIS_TRUST_PROXY: '64' }, /at most 32 hops/],
  ])('refuses %o with a message naming the setting', (env, message) => {
    expect(() => loadConfig({ env })).toThrowError(message);
  });

  it.each([
    ['false', false],
    ['true', 1],
    ['2', 2],
    ['10.0.0.0/8, loopback, ::1, fd00::/8', ['10.0.0.0/8', 'loopback', '::1', 'fd00::/8']],
  ])('reads LAPIS_TRUST_PROXY=%s as %o (true trusts one proxy, not the whole chain)', (raw, expected) => {
    expect(loadConfig({ env: { LAPIS_TRUST_PROXY: raw } }).trustProxy).toEqual(expected);
  });

  it('refuses unknown keys and bad JSON in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapis-config-'));
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ file: unknown, env: {} })).toThrowError(/unknown keys: prot/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    expect(() => loadConfig({ file: broken, env: {} })).toThrowError(ConfigError);
    expect(() => loadConfig({ file: join(dir, 'missing.json'), env: {} })).toThrowError(/cannot read config file/);
  });

  it('requires LAPIS_PUBLIC_URL to be an absolute http(s) URL and drops its trailing slash', () => {
    const publicUrl = (value: string) => loadConfig({ env: { LAPIS_PUBLIC_URL: value } }).publicUrl;
    expect(publicUrl('https://example.com/lapis/')).toBe('https://example.com/lapis');
    expect(publicUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    for (const bad of ['host/lapis', 'localhost:8080/lapis', '/lapis']) {
      expect(() => publicUrl(bad)).toThrowError(
        /LAPIS_PUBLIC_URL must (be an absolute URL with its scheme|start with http:\/\/ or https:\/\/), such as https:\/\/lapis\.example\.com/,
      );
    }
    expect(() => publicUrl('ftp://example.com')).toThrowError(/must start with http:\/\/ or https:\/\//);
    expect(() => publicUrl('https://example.com/lapis?x=1')).toThrowError(/must not carry a query/);
  });

  it('parses clock offsets', () => {
    expect(parseOffset('400d', 'x')).toBe(400 * 86_400_000);
    expect(parseOffset('-2h', 'x')).toBe(-7_200_000);
    expect(() => parseOffset('soon', 'x')).toThrowError(ConfigError);
  });

  it('documents every key, and docs/configuration.md is up to date (run `npm run docs`)', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderConfigurationDoc());
    for (const definition of Object.values(configSchema)) {
      expect(definition.description.length).toBeGreaterThan(10);
      expect(doc).toContain(definition.env);
    }
  });
});
