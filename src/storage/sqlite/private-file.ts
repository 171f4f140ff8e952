import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageUnavailableError } from '../ports.js';

/** Creates a database file (and its directory) readable by this user only, unless it exists. */
export function createPrivateFile(file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // SQLite gives its -wal and -shm files the database file's mode, so creating it 0600 covers all three.
    closeSync(openSync(file, 'a', 0o600));
  } catch (error) {
    throw new StorageUnavailableError(`cannot create ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
}
