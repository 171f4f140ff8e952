import { describe, expect, it } from 'vitest';
import {
  describeRestrictions,
  formatRateLimit,
  parseRateLimit,
  type TokenRestrictions,
} from '../../src/domain/token-restrictions.js';
import { canonicalRange } from '../../src/services/address-ranges.js';

describe('token restriction values', () => {
  it.each([
    ['60/min', { limit: 60, windowSeconds: 60 }, '60/min'],
    ['10/s', { limit: 10, windowSeconds: 1 }, '10/s'],
    [' 1000 / h ', { limit: 1000, windowSeconds: 3600 }, '1000/h'],
    ['5000/day', { limit: 5000, windowSeconds: 86_400 }, '5000/day'],
    ['100/30s', { limit: 100, windowSeconds: 30 }, '100/30s'],
    ['20/2min', { limit: 20, windowSeconds: 120 }, '20/2min'],
  ])('reads the rate %j and writes it back', (text, rate, written) => {
    expect(parseRateLimit(text)).toEqual(rate);
    expect(formatRateLimit(rate)).toBe(written);
  });

  it.each(['60', '0/min', '60/fortnight', '60/2day', '-1/s', '2000000/s', ''])('refuses the rate %j', (text) => {
    expect(() => parseRateLimit(text)).toThrow(/not a count per window/);
  });

  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    ['203.0.113.0/24', '203.0.113.0/24'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['::1', '::1/128'],
    ['::ffff:203.0.113.0/120', '203.0.113.0/24'],
  ])('reads the address range %j as %j', (text, canonical) => {
    expect(canonicalRange(text)).toBe(canonical);
  });

  it.each(['203.0.113.0/33', '2001:db8::/129', 'example.com', '10.0.0.0/8/8', '10.0.0.0/x', ''])(
    'refuses the address range %j',
    (text) => {
      expect(() => canonicalRange(text)).toThrow(/not an address range/);
    },
  );

  it('describes restrictions in the order the pages show them', () => {
    const restrictions: TokenRestrictions = {
      projectIds: ['p1'],
      readOnly: true,
      allowedAddresses: ['10.0.0.0/8'],
      rateLimit: { limit: 60, windowSeconds: 60 },
    };
    expect(describeRestrictions(restrictions, (id) => (id === 'p1' ? 'web' : id))).toEqual([
      'projects web',
      'read-only',
      'from 10.0.0.0/8',
      '60/min',
    ]);
    expect(describeRestrictions(undefined)).toEqual([]);
  });
});
