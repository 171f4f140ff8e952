import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalPat, classifyPat, generatePat, legacyPatLength, looksLikePat, patLength } from '../../src/domain/pat-format.js';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** What `byteStream(0)` gives (computed independently with Python's zlib.crc32). */
const fixedToken = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDAZDObWEC';

/** A deterministic random source: consecutive bytes (mod 256) from `start`, honouring the size asked for. */
function byteStream(start: number): (size: number) => Uint8Array {
  let next = start;
  return (size) => Uint8Array.from({ length: size }, () => next++ % 256);
}

describe('PAT format', () => {
  it('makes 84-character tokens the official client recognises, with AZDO at positions 77-80', () => {
    const token = generatePat(randomBytes);
    expect(token).toHaveLength(patLength);
    expect(patLength).toBe(84);
    // The official client's getHandlerFromToken test for the new format.
    expect(/^.{76}AZDO.{4}$/.test(token)).toBe(true);
    expect(token).toMatch(/^[0-9A-Za-z]+$/);
    expect(classifyPat(token)).toBe('current');
    expect(looksLikePat(token)).toBe(true);
  });

  it('carries at least 256 bits of randomness and never repeats', () => {
    const tokens = Array.from({ length: 2000 }, () => generatePat(randomBytes));
    expect(new Set(tokens).size).toBe(2000);
    // The entropy is what the random part of real tokens shows: its length and the symbols it draws from.
    const randomPart = tokens.map((token) => token.slice(0, 76));
    const symbols = new Set(randomPart.join(''));
    expect(symbols.size).toBe(62);
    expect(randomPart[0]!.length * Math.log2(symbols.size)).toBeGreaterThan(256);
  });

  it('uses every character of the alphabet evenly (rejection sampling, no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of generatePat(randomBytes).slice(0, 76)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2000 * 76) / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
  });

  it('is deterministic for a given random source', () => {
    const source = () => new Uint8Array(152).fill(7);
    expect(generatePat(source)).toBe(generatePat(source));
    expect(generatePat(source).startsWith('7'.repeat(76))).toBe(true);
  });

  it('gives the expected text for a fixed byte stream, checksum included', () => {
    // Expected values computed independently (Python's zlib.crc32 and the base62 alphabet).
    expect(generatePat(byteStream(0))).toBe(fixedToken);
    // Bytes 248-255 are skipped: after 247 ('z') the next character comes from byte 0, not from 248.
    expect(generatePat(byteStream(240))).toBe(
      'stuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz012345AZDOfL9x',
    );
  });

  it('draws again when a whole batch of bytes is rejected', () => {
    let calls = 0;
    const source = (size: number) => new Uint8Array(size).fill(calls++ === 0 ? 255 : 7);
    expect(generatePat(source).slice(0, 80)).toBe(`${'7'.repeat(76)}AZDO`);
  });

  it('rejects any single-character typo through the checksum', () => {
    const token = generatePat(randomBytes);
    let rejected = 0;
    for (let position = 0; position < patLength; position++) {
      if (position >= 76 && position < 80) continue;
      const original = token[position];
      const replacement = alphabet[(alphabet.indexOf(original ?? '0') + 1 + (position % 61)) % 62];
      const typo = token.slice(0, position) + replacement + token.slice(position + 1);
      if (classifyPat(typo) === 'invalid') rejected++;
    }
    expect(rejected).toBe(patLength - 4);
  });

  it('recognises the legacy 52-character base32 form in any case and canonicalises it', () => {
    const legacy = 'dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq';
    expect(legacy).toHaveLength(legacyPatLength);
    expect(classifyPat(legacy)).toBe('legacy');
    expect(classifyPat(legacy.toUpperCase())).toBe('legacy');
    expect(canonicalPat(legacy.toUpperCase(), 'legacy')).toBe(legacy);
  });

  it('leaves a current token exactly as typed: only legacy tokens are case-insensitive', () => {
    expect(canonicalPat(fixedToken, 'current')).toBe(fixedToken);
    expect(canonicalPat(fixedToken, 'invalid')).toBe(fixedToken);
  });

  it.each([
    ['a current token', fixedToken, true],
    ['a current shape with a wrong checksum', `${'A'.repeat(76)}AZDO0000`, true],
    ['a legacy token in capitals', 'DIP55DWF4VPITOMW63JZVOMEFMI2JLUGUPRZWWQWUC6XQ4FHOCWQ', true],
    ['84 characters without the signature', `${'A'.repeat(76)}ABCD1234`, false],
    ['84 characters with a symbol', `${'A'.repeat(75)}-AZDO1234`, false],
    ['85 characters', `${fixedToken}x`, false],
    ['52 characters with a 1', `${'a'.repeat(51)}1`, false],
    ['53 base32 characters', 'a'.repeat(53), false],
    ['a password', 'correct horse battery staple', false],
  ])('tells whether %s could be a token', (_name, text, expected) => {
    expect(looksLikePat(text)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['too short', 'abc'],
    ['85 characters', `${fixedToken}x`],
    ['base32 with 1', `${'a'.repeat(51)}1`],
    ['signature missing', `${'A'.repeat(76)}ABCD1234`],
    ['non-ASCII', `${'A'.repeat(75)}éAZDO1234`],
    // 84 characters whose last four are the right checksum of the first 80, but without the signature or base62.
    ['a checksummed text without the signature', `${'A'.repeat(76)}ABCDBvvg`],
    ['a checksummed text outside base62', `${'-'.repeat(76)}AZDO8VPD`],
  ])('classifies %s as invalid', (_name, text) => {
    expect(classifyPat(text)).toBe('invalid');
  });
});
