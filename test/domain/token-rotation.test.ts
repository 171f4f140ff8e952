import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import {
  formatGrace,
  graceEnd,
  graceSeconds,
  idempotencyKey,
  maxGraceSeconds,
  parseGraceDuration,
} from '../../src/domain/token-rotation.js';

describe('grace windows', () => {
  it.each([
    ['0', 0],
    ['90s', 90],
    ['30m', 1_800],
    ['1h', 3_600],
    [' 2d ', 172_800],
    ['7d', maxGraceSeconds],
    ['168h', maxGraceSeconds],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseGraceDuration(text)).toBe(seconds);
  });

  // A bare number other than 0 has no unit to read: minutes and seconds are both plausible, so it is refused.
  it.each(['8d', '604801s', '-1h', '1w', '1.5h', 'h', '', '1 hour', '45'])('refuses %j with the field named', (text) => {
    let refusal: unknown;
    try {
      parseGraceDuration(text);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).details.field).toBe('graceSeconds');
  });

  it('takes whole seconds from 0 to 7 days in the API', () => {
    expect(graceSeconds(0)).toBe(0);
    expect(graceSeconds(maxGraceSeconds)).toBe(maxGraceSeconds);
    for (const value of [-1, maxGraceSeconds + 1, 1.5, '60', null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => graceSeconds(value), String(value)).toThrow(/between 0 and 7 days/);
    }
  });

  it('formats with the largest whole unit and reads its own output back', () => {
    for (const seconds of [0, 59, 60, 90, 3_600, 5_400, 86_400, maxGraceSeconds]) {
      expect(parseGraceDuration(formatGrace(seconds))).toBe(seconds);
    }
    expect(formatGrace(5_400)).toBe('90m');
    expect(formatGrace(maxGraceSeconds)).toBe('7d');
  });

  it('ends the window at the token expiry when that comes first', () => {
    const now = new Date('2026-06-01T12:00:00.000Z');
    expect(graceEnd(now, 3_600, '2026-06-30T00:00:00.000Z')).toBe('2026-06-01T13:00:00.000Z');
    expect(graceEnd(now, 86_400, '2026-06-01T18:00:00.000Z')).toBe('2026-06-01T18:00:00.000Z');
  });
});

describe('idempotency keys', () => {
  it('takes 1 to 255 visible ASCII characters', () => {
    expect(idempotencyKey('3f0c6a2e-deploy-42')).toBe('3f0c6a2e-deploy-42');
    expect(idempotencyKey('k'.repeat(255))).toHaveLength(255);
    for (const bad of ['', 'k'.repeat(256), 'with space', 'tab\t', 'é']) {
      expect(() => idempotencyKey(bad), JSON.stringify(bad)).toThrow(/Idempotency-Key/);
    }
  });
});
