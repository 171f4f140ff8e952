import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalPat, classifyPat, generatePat, legacyPatLength, looksLikePat, patLength } from '../../src/domain/pat-format.js';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

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

  it.each([
    ['empty', ''],
    ['too short', 'abc'],
    ['85 characters', `${generatePat(randomBytes)}x`],
    ['base32 with 1', `${'a'.repeat(51)}1`],
    ['signature missing', `${'A'.repeat(76)}ABCD1234`],
    ['non-ASCII', `${'A'.repeat(75)}éAZDO1234`],
  ])('classifies %s as invalid', (_name, text) => {
    expect(classifyPat(text)).toBe('invalid');
  });
});
