import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SigningKey, SigningKeySet } from '../domain/signing-keys.js';
import { type SigningKeyRepository, StorageUnavailableError } from './ports.js';

function isKey(value: unknown): value is SigningKey {
  const key = value as Partial<SigningKey> | null;
  return (
    typeof key === 'object' &&
    key !== null &&
    typeof key.kid === 'string' &&
    key.algorithm === 'ES256' &&
    typeof key.privateJwk === 'object' &&
    typeof key.publicJwk === 'object' &&
    typeof key.createdAt === 'string' &&
    (key.retiredAt === null || typeof key.retiredAt === 'string')
  );
}

/** The signing keys as one JSON file (mode 0600), replaced atomically by write-then-rename. */
export class SigningKeyFile implements SigningKeyRepository {
  constructor(private readonly path: string) {}

  async version(): Promise<string | undefined> {
    try {
      const info = await stat(this.path);
      return `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.unusable(error);
    }
  }

  async read(): Promise<SigningKeySet | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.unusable(error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new StorageUnavailableError(`${this.path} is not valid JSON`);
    }
    const keys = (parsed as { keys?: unknown }).keys;
    if (!Array.isArray(keys) || !keys.every(isKey)) throw new StorageUnavailableError(`${this.path} does not hold signing keys`);
    return { keys };
  }

  /**
   * Creates the file only if none exists. The keys are written to a temporary file first and linked into
   * place, so an instance starting at the same moment never reads a half-written file.
   */
  async create(set: SigningKeySet): Promise<boolean> {
    await this.ensureDirectory();
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, this.serialise(set), { mode: 0o600, flag: 'wx' });
      await link(temporary, this.path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw this.unusable(error);
    } finally {
      await unlink(temporary).catch(() => {});
    }
  }

  async replace(set: SigningKeySet): Promise<void> {
    await this.ensureDirectory();
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, this.serialise(set), { mode: 0o600, flag: 'wx' });
      await rename(temporary, this.path);
    } catch (error) {
      throw this.unusable(error);
    }
  }

  private serialise(set: SigningKeySet): string {
    return `${JSON.stringify({ keys: set.keys }, null, 2)}\n`;
  }

  private async ensureDirectory(): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
    } catch (error) {
      throw this.unusable(error);
    }
  }

  private unusable(error: unknown): StorageUnavailableError {
    return new StorageUnavailableError(`cannot use ${this.path}: ${(error as NodeJS.ErrnoException).code ?? 'unusable'}`);
  }
}
