import { describe, expect, it } from 'vitest';
import { boundedUserAgent, expiryWarningDays, type TokenUse, usageTrail } from '../../src/domain/token-usage.js';

const use = (clientAddress: string, firstUsedAt: string, lastUsedAt: string, userAgent = 'curl'): TokenUse => ({
  tokenId: 't',
  clientAddress,
  userAgent,
  firstUsedAt,
  lastUsedAt,
});

describe('usage trail', () => {
  it('keeps one entry per address, merged, most recent first, at most N', () => {
    const trail = usageTrail(
      [
        use('10.0.0.1', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 'old'),
        use('10.0.0.2', '2026-01-03T00:00:00.000Z', '2026-01-03T00:00:00.000Z'),
        use('10.0.0.3', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
        use('10.0.0.1', '2026-01-05T00:00:00.000Z', '2026-01-05T00:00:00.000Z', 'new'),
      ],
      2,
    );
    expect(trail).toEqual([
      use('10.0.0.1', '2026-01-01T00:00:00.000Z', '2026-01-05T00:00:00.000Z', 'new'),
      use('10.0.0.2', '2026-01-03T00:00:00.000Z', '2026-01-03T00:00:00.000Z'),
    ]);
  });

  it('cuts long user agents', () => {
    expect(boundedUserAgent('x'.repeat(10_000))).toHaveLength(256);
    expect(boundedUserAgent(undefined)).toBe('');
  });
});

describe('expiry warning', () => {
  const now = new Date('2026-06-01T12:00:00.000Z');
  it('gives whole days left inside the window only', () => {
    expect(expiryWarningDays('2026-06-04T18:00:00.000Z', now, 7)).toBe(3);
    expect(expiryWarningDays('2026-06-01T13:00:00.000Z', now, 7)).toBe(0);
    expect(expiryWarningDays('2026-06-08T12:00:00.000Z', now, 7)).toBe(7);
    expect(expiryWarningDays('2026-06-08T12:00:00.001Z', now, 7)).toBeUndefined();
    expect(expiryWarningDays('2026-06-01T12:00:00.000Z', now, 7)).toBeUndefined();
    expect(expiryWarningDays('2026-06-02T12:00:00.000Z', now, 0)).toBeUndefined();
  });
});
