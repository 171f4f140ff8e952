import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Config, ConfigError, resolveDataPath } from './schema.js';

function decode(value: string, setting: string): Buffer {
  const text = value.trim();
  const bytes = /^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (bytes.length < 32) throw new ConfigError(`${setting} must hold at least 32 bytes (hex or base64)`);
  return bytes;
}

/**
 * A server secret: the configured value, or a key generated once into `<dataDir>/<name>.key` (mode 0600)
 * and read back on every later start. Returns 32 or more bytes.
 */
export function loadSecret(config: Config, name: 'token' | 'session'): Buffer {
  const configured = name === 'token' ? config.tokenSecret : config.sessionSecret;
  const setting = name === 'token' ? 'LAPIS_TOKEN_SECRET' : 'LAPIS_SESSION_SECRET';
  if (configured) return decode(configured, setting);
  const file = resolveDataPath(config, `${name}.key`);
  try {
    return decode(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  try {
    // 'wx': if another process created it in the meantime, use theirs.
    writeFileSync(file, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return decode(readFileSync(file, 'utf8'), file);
    throw new ConfigError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unwritable'}`);
  }
}
