import { describe, expect, it } from 'vitest';
import type { PersonalAccessToken } from '../../src/domain/entities.js';
import { checkValidTo, dayMs, latestValidTo, requireNotRevoked, tokenStatus } from '../../src/domain/pat-rules.js';

const now = new Date('2026-06-01T12:00:00.000Z');
const token: PersonalAccessToken = {
  id: 't1',
  userId: 'u1',
  displayName: 'ci',
  scopes: ['vso.build'],
  organizationId: null,
  validFrom: '2026-05-01T12:00:00.000Z',
  validTo: '2026-06-02T12:00:00.000Z',
  createdAt: '2026-05-01T12:00:00.000Z',
  revokedAt: null,
  lastUsedAt: null,
  tokenHash: 'h',
};
const policy = { maxLifetimeDays: 30 };

describe('personal access token rules', () => {
  it('tells active, expired (at the end instant) and revoked (whatever the end date) apart', () => {
    expect(tokenStatus(token, now)).toBe('active');
    expect(tokenStatus(token, new Date(token.validTo))).toBe('expired');
    expect(tokenStatus({ ...token, revokedAt: now.toISOString(), validTo: '2000-01-01T00:00:00.000Z' }, now)).toBe('revoked');
  });

  it('refuses changes to a revoked token with tokenRevoked', () => {
    expect(() => requireNotRevoked(token)).not.toThrow();
    expect(() => requireNotRevoked({ ...token, revokedAt: now.toISOString() })).toThrowError(
      expect.objectContaining({ code: 'tokenRevoked' }),
    );
  });

  it('bounds the end of validity: a date, in the future, within the policy (one minute of slack)', () => {
    expect(latestValidTo(now, policy).getTime()).toBe(now.getTime() + 30 * dayMs);
    expect(checkValidTo(now, latestValidTo(now, policy), policy)).toEqual(latestValidTo(now, policy));
    expect(() => checkValidTo(now, new Date(now.getTime() + 30 * dayMs + 60_001), policy)).toThrowError(/at most 30 days/);
    expect(() => checkValidTo(now, now, policy)).toThrowError(/must be in the future/);
    expect(() => checkValidTo(now, new Date('nope'), policy)).toThrowError(/not a valid date/);
  });
});
