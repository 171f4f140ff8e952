import { createHash, createHmac } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { KeyFingerprintRepository } from '../storage/ports.js';

/** The keys every instance sharing one database must share, in the order they are reported. */
export const keyPurposes = ['token', 'session', 'signing'] as const;
export type KeyPurpose = (typeof keyPurposes)[number];

export type KeyFingerprints = Readonly<Record<KeyPurpose, string>>;

export interface KeyMismatch {
  purpose: KeyPurpose;
  recorded: string;
  presented: string;
}

/**
 * An HMAC keyed by the secret itself over a fixed label: it tells two keys apart without revealing
 * either (the keys have 256 bits, so the fingerprint cannot be searched back to the key).
 */
export function secretFingerprint(secret: Buffer): string {
  return createHmac('sha256', secret).update('lapis key fingerprint v1').digest('hex').slice(0, 32);
}

/** The signing key ids are public JWK thumbprints; their sorted set identifies the key file's contents. */
export function signingKeysFingerprint(keyIds: readonly string[]): string {
  return createHash('sha256')
    .update(`lapis signing keys v1\n${[...keyIds].sort().join('\n')}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Records this instance's fingerprints where none is recorded yet (the first instance wins, also when
 * several start together) and returns every purpose whose recorded fingerprint differs from this one's.
 */
export async function reconcileKeyFingerprints(
  repository: KeyFingerprintRepository,
  presented: KeyFingerprints,
  clock: Clock,
): Promise<KeyMismatch[]> {
  const mismatches: KeyMismatch[] = [];
  for (const purpose of keyPurposes) {
    if (await repository.recordIfAbsent(purpose, presented[purpose], clock.now().toISOString())) continue;
    const recorded = await repository.find(purpose);
    if (recorded !== undefined && recorded !== presented[purpose]) {
      mismatches.push({ purpose, recorded, presented: presented[purpose] });
    }
  }
  return mismatches;
}

/** After a deliberate rotation of the signing keys: the new set becomes the one instances must share. */
export async function recordSigningKeys(
  repository: KeyFingerprintRepository,
  keyIds: readonly string[],
  clock: Clock,
): Promise<void> {
  await repository.replace('signing', signingKeysFingerprint(keyIds), clock.now().toISOString());
}
