import { crc32 } from 'node:zlib';

/**
 * Personal access token text. New tokens follow the current Azure DevOps shape, 84 characters with the
 * signature `AZDO` at 1-based positions 77–80, so secret scanners and the official client's
 * `/^.{76}AZDO.{4}$/` recognise them:
 *
 *   [76 random base62 characters][AZDO][4-character checksum]
 *
 * 76 base62 characters carry 452 bits of randomness. The checksum (CRC-32 of the first 80 characters,
 * base62) lets the server refuse typos and forgeries before touching storage; it is not a secret.
 * The legacy form is 52 base32 characters (`[a-z2-7]{52}`, any case) with no checksum.
 */

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomLength = 76;
const signature = 'AZDO';
const checksumLength = 4;
export const patLength = randomLength + signature.length + checksumLength;
export const legacyPatLength = 52;

const newShape = /^[0-9A-Za-z]{76}AZDO[0-9A-Za-z]{4}$/;
const legacyShape = /^[A-Za-z2-7]{52}$/;

function checksumOf(body: string): string {
  let value = crc32(body) % 62 ** checksumLength;
  let out = '';
  for (let i = 0; i < checksumLength; i++) {
    out = base62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/**
 * Builds a new token from a source of random bytes (injected so tests are deterministic).
 * Rejection sampling keeps every character uniformly distributed.
 */
export function generatePat(randomBytes: (size: number) => Uint8Array): string {
  let body = '';
  while (body.length < randomLength) {
    for (const byte of randomBytes(randomLength * 2)) {
      // 248 = 4 × 62: bytes at or above it would favour the first characters of the alphabet.
      if (byte < 248 && body.length < randomLength) body += base62[byte % 62];
    }
  }
  const withSignature = body + signature;
  return withSignature + checksumOf(withSignature);
}

export type PatShape = 'current' | 'legacy' | 'invalid';

/** Classifies presented text without any storage access: a current token with a wrong checksum is invalid. */
export function classifyPat(text: string): PatShape {
  if (text.length === patLength && newShape.test(text)) {
    return checksumOf(text.slice(0, randomLength + signature.length)) === text.slice(-checksumLength) ? 'current' : 'invalid';
  }
  if (text.length === legacyPatLength && legacyShape.test(text)) return 'legacy';
  return 'invalid';
}

/** Legacy tokens are case-insensitive base32; one canonical case makes them hash the same however typed. */
export function canonicalPat(text: string, shape: PatShape): string {
  return shape === 'legacy' ? text.toLowerCase() : text;
}

/** Whether a string could be a token at all (used to tell a PAT from a password in Basic credentials). */
export function looksLikePat(text: string): boolean {
  return (text.length === patLength && newShape.test(text)) || (text.length === legacyPatLength && legacyShape.test(text));
}
