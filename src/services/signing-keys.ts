import { generateKeyPairSync } from 'node:crypto';
import { type CryptoKey, calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import type { Clock } from '../domain/clock.js';
import { accessTokenLifetimeSeconds } from '../domain/oauth.js';
import { activeKey, type Jwk, rotateKeySet, type SigningKey, type SigningKeySet } from '../domain/signing-keys.js';
import type { SigningKeyRepository } from '../storage/ports.js';

export interface SigningKeyInfo {
  kid: string;
  status: 'active' | 'retired';
  createdAt: string;
  retiredAt: string | null;
}

export interface KeyRotation {
  active: string;
  retired: string[];
  dropped: string[];
}

interface LoadedKeys {
  set: SigningKeySet;
  active: SigningKey;
  privateKey: CryptoKey;
  publicKeys: Map<string, CryptoKey>;
}

/** Five minutes beyond the last token's expiry, for clocks that disagree a little. */
const clockSkewMs = 5 * 60_000;

function jwk(value: Record<string, unknown>): Jwk {
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

async function newKey(now: Date): Promise<SigningKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = jwk(publicKey.export({ format: 'jwk' }));
  return {
    kid: await calculateJwkThumbprint(publicJwk as JWK),
    algorithm: 'ES256',
    privateJwk: jwk(privateKey.export({ format: 'jwk' })),
    publicJwk,
    createdAt: now.toISOString(),
    retiredAt: null,
  };
}

/**
 * The access-token signing keys: created on first use, re-read when another process (`lapis keys rotate`)
 * changes them, so a running server signs with the new key and still verifies with the retired ones.
 */
export class SigningKeys {
  private loaded: LoadedKeys | undefined;
  private loadedVersion: string | undefined;
  private checkedAt = 0;
  private loading: Promise<LoadedKeys> | undefined;

  constructor(
    private readonly repository: SigningKeyRepository,
    private readonly clock: Clock,
    private readonly reloadIntervalMs = 1000,
    /** Tells other processes (the running servers, when the CLI rotates) to re-read the keys now. */
    private readonly onRotated: () => Promise<void> = async () => {},
  ) {}

  /** Another process changed the keys: the next use re-reads them instead of waiting for the interval. */
  reloadSoon(): void {
    this.checkedAt = 0;
  }

  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    const loaded = await this.current();
    return { kid: loaded.active.kid, key: loaded.privateKey };
  }

  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    return (await this.current()).publicKeys.get(kid);
  }

  /** Public halves of the active and retired keys, as published at /.well-known/jwks.json. */
  async publicJwks(): Promise<JWK[]> {
    const { set } = await this.current();
    return set.keys.map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.algorithm, use: 'sig' }));
  }

  async list(): Promise<SigningKeyInfo[]> {
    const { set } = await this.current();
    return set.keys.map((key) => ({
      kid: key.kid,
      status: key.retiredAt === null ? 'active' : 'retired',
      createdAt: key.createdAt,
      retiredAt: key.retiredAt,
    }));
  }

  /**
   * A new active key. Retired keys keep verifying until the tokens they signed have expired; `dropRetired`
   * removes them at once (after a key leaked), which ends every access token they signed.
   */
  async rotate(options: { dropRetired: boolean }): Promise<KeyRotation> {
    const { set } = await this.current();
    const now = this.clock.now();
    const rotation = rotateKeySet(set, await newKey(now), now, {
      retainMs: accessTokenLifetimeSeconds * 1000 + clockSkewMs,
      dropRetired: options.dropRetired,
    });
    await this.repository.replace(rotation.set);
    this.checkedAt = 0;
    await this.onRotated();
    const active = activeKey(rotation.set);
    return { active: active?.kid ?? '', retired: rotation.retired, dropped: rotation.dropped };
  }

  private async current(): Promise<LoadedKeys> {
    if (this.loaded && Date.now() - this.checkedAt < this.reloadIntervalMs) return this.loaded;
    this.loading ??= this.refresh().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refresh(): Promise<LoadedKeys> {
    const version = await this.repository.version();
    this.checkedAt = Date.now();
    if (this.loaded && version !== undefined && version === this.loadedVersion) return this.loaded;
    let set = await this.repository.read();
    if (!set) {
      const first = { keys: [await newKey(this.clock.now())] };
      set = (await this.repository.create(first)) ? first : await this.repository.read();
    }
    const active = set && activeKey(set);
    if (!set || !active) throw new Error('the signing key set has no active key');
    const publicKeys = new Map<string, CryptoKey>();
    for (const key of set.keys) publicKeys.set(key.kid, (await importJWK(key.publicJwk as JWK, key.algorithm)) as CryptoKey);
    const privateKey = (await importJWK(active.privateJwk as JWK, active.algorithm)) as CryptoKey;
    this.loaded = { set, active, privateKey, publicKeys };
    this.loadedVersion = version ?? (await this.repository.version());
    return this.loaded;
  }
}
