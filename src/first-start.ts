import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { buildServices, checkSharedKeys } from './compose.js';
import { type Config, resolveDataPath } from './config/schema.js';
import type { Clock } from './domain/clock.js';
import { type BootstrapResult, bootstrapStore } from './services/bootstrap.js';
import type { Store } from './storage/ports.js';

/** Names the store in a file name, so that two stores used from one data directory never share a password file. */
export function storeSlug(store: Pick<Store, 'kind' | 'location'>): string {
  const where = store.kind === 'sqlite' ? basename(store.location) : store.location.replace(/^postgres:\/\/([^@/]*@)?/, '');
  const slug = `${store.kind}-${where}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, 100);
}

export function initialPasswordFile(config: Config, store: Pick<Store, 'kind' | 'location'>): string {
  return resolveDataPath(config, `initial-admin-password.${storeSlug(store)}`);
}

/**
 * Writes the password (mode 0600, by write-then-rename so no reader sees half a file). Returns whether it
 * replaced a file: that one belonged to an earlier store at the same location, which the operator is told.
 */
function writePasswordFile(file: string, password: string): boolean {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, `${password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
    renameSync(temporary, file);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      rmSync(temporary, { force: true });
      throw error;
    }
    renameSync(temporary, file);
    return true;
  }
}

export interface FirstStartOptions {
  config: Config;
  store: Store;
  clock: Clock;
  print: (line: string) => void;
  /** Whether a person reads `print`: only then is the password itself printed. */
  terminal: boolean;
}

function announce(options: FirstStartOptions, result: BootstrapResult, file: string, replaced: boolean): void {
  const { print, terminal } = options;
  if (terminal) print(`Created user "${result.username}" with password: ${result.password}`);
  else print(`Created user "${result.username}"; its password is in ${file} (mode 0600, not printed: no terminal).`);
  if (replaced) print(`(${file} held the password of an earlier store at the same location; it now holds this one.)`);
  print(
    `Sign in and change it at /_usersSettings/password. Created organization "${result.organization}".${terminal ? ` (Also written to ${file}.)` : ''}`,
  );
}

/**
 * What `serve` does before listening: migrate, check the shared keys, and on an empty store create the
 * first admin, whose password is written to a file named after the store before the admin is committed.
 */
export async function prepareStore(options: FirstStartOptions): Promise<void> {
  const { config, store, clock } = options;
  await store.migrate();
  const services = buildServices(store, clock, config);
  await checkSharedKeys(config, store, services, clock);
  const file = initialPasswordFile(config, store);
  let written = false;
  let replaced = false;
  try {
    const result = await bootstrapStore(services.context, async ({ password }) => {
      replaced = writePasswordFile(file, password);
      written = true;
    });
    if (result) announce(options, result, file, replaced);
  } catch (error) {
    // The admin was not committed, so the file would name a password that opens nothing.
    if (written && !replaced) rmSync(file, { force: true });
    throw error;
  }
}
