import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Config, ConfigError, resolveDataPath } from './schema.js';

export type SecretName = 'token' | 'session';

const settings = {
  token: { value: 'LAPIS_TOKEN_SECRET', file: 'LAPIS_TOKEN_SECRET_FILE' },
  session: { value: 'LAPIS_SESSION_SECRET', file: 'LAPIS_SESSION_SECRET_FILE' },
} as const;

function decode(value: string, setting: string): Buffer {
  const text = value.trim();
  const bytes = /^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (bytes.length < 32) throw new ConfigError(`${setting} must hold at least 32 bytes (hex or base64)`);
  return bytes;
}

function readConfiguredFile(path: string, setting: string): Buffer {
  let text: string;
  try {
    text = readFileSync(resolveDataPath({ dataDir: '.' }, path), 'utf8');
  } catch (error) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return decode(text, `${setting} (${path})`);
}

/**
 * A server secret: the configured value, else the configured file, else a key generated once into
 * `<dataDir>/<name>.key` (mode 0600) and read back on every later start. Returns 32 or more bytes.
 */
export function loadSecret(config: Config, name: SecretName): Buffer {
  const configured = name === 'token' ? config.tokenSecret : config.sessionSecret;
  if (configured) return decode(configured, settings[name].value);
  const configuredFile = name === 'token' ? config.tokenSecretFile : config.sessionSecretFile;
  if (configuredFile) return readConfiguredFile(configuredFile, settings[name].file);
  const file = resolveDataPath(config, `${name}.key`);
  try {
    return decode(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': if another process created it in the meantime, use theirs.
    writeFileSync(file, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return decode(readFileSync(file, 'utf8'), file);
    throw new ConfigError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unwritable'}`);
  }
}

/** Where this instance's copy of each shared key comes from, in the words an operator acts on. */
function keySource(config: Config, purpose: SecretName | 'signing'): string {
  if (purpose === 'signing') {
    return config.oauthKeysFile ? `LAPIS_OAUTH_KEYS_FILE (${config.oauthKeysFile})` : resolveDataPath(config, 'oauth-keys.json');
  }
  if (purpose === 'token' ? config.tokenSecret : config.sessionSecret) return settings[purpose].value;
  const file = purpose === 'token' ? config.tokenSecretFile : config.sessionSecretFile;
  if (file) return `${settings[purpose].file} (${file})`;
  return resolveDataPath(config, `${purpose}.key`);
}

const keyNames = { token: 'token key', session: 'session key', signing: 'OAuth signing keys' } as const;

/**
 * The one line an instance prints when its keys differ from those recorded by the instances already
 * using the database: which keys, where this instance took them from, and what to share instead.
 */
export function describeKeyMismatch(config: Config, purposes: readonly (SecretName | 'signing')[]): string {
  const which = purposes.map((purpose) => `${keyNames[purpose]} (from ${keySource(config, purpose)})`).join(', ');
  return (
    `this instance's ${which} ${purposes.length > 1 ? 'differ' : 'differs'} from the one the database was set up with: ` +
    'give every instance sharing a database the same LAPIS_TOKEN_SECRET, LAPIS_SESSION_SECRET (or their *_FILE) ' +
    'and LAPIS_OAUTH_KEYS_FILE, copied from the first instance (see docs/deployment.md)'
  );
}
