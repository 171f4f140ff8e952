import { describe, expect, it } from 'vitest';
import type { PersonalAccessToken } from '../../src/domain/entities.js';
import {
  checkValidTo,
  dayMs,
  latestValidTo,
  requireNotRevoked,
  tokenDisplayName,
  tokenScopes,
  tokenStatus,
} from '../../src/domain/pat-rules.js';

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
      expect.objectContaining({
        code: 'tokenRevoked',
        message: 'This token has been revoked; a revoked token cannot be changed or regenerated. Create a new one.',
      }),
    );
  });

  it('bounds the end of validity: a date, in the future, within the policy (one minute of slack)', () => {
    expect(latestValidTo(now, policy).getTime()).toBe(now.getTime() + 30 * dayMs);
    expect(checkValidTo(now, latestValidTo(now, policy), policy)).toEqual(latestValidTo(now, policy));
    expect(() => checkValidTo(now, new Date(now.getTime() + 30 * dayMs + 60_001), policy)).toThrowError(/at most 30 days/);
    expect(() => checkValidTo(now, now, policy)).toThrowError(/must be in the future/);
    expect(() => checkValidTo(now, new Date('nope'), policy)).toThrowError(/not a valid date/);
  });

  it('treats the instant before the end as still active', () => {
    expect(tokenStatus(token, new Date(Date.parse(token.validTo) - 1))).toBe('active');
  });

  it('accepts an end one minute past the policy (the slack) and refuses the next millisecond', () => {
    const slackEnd = new Date(now.getTime() + 30 * dayMs + 60_000);
    expect(checkValidTo(now, slackEnd, policy)).toBe(slackEnd);
    expect(() => checkValidTo(now, new Date(now.getTime() + 1), policy)).not.toThrow();
  });

  it('names the field of each refused input, and marks a missing name as required', () => {
    for (const end of [now, new Date('nope'), new Date(now.getTime() + 31 * dayMs)]) {
      expect(() => checkValidTo(now, end, policy)).toThrowError(
        expect.objectContaining({ code: 'invalidInput', details: { field: 'validTo' } }),
      );
    }
    expect(() => tokenDisplayName('  ')).toThrowError(
      expect.objectContaining({
        code: 'invalidInput',
        message: 'A token needs a name.',
        details: { field: 'displayName', required: true },
      }),
    );
    expect(() => tokenScopes('vso.nonsense')).toThrowError(
      expect.objectContaining({ code: 'invalidInput', message: 'Unknown scope: vso.nonsense.', details: { field: 'scope' } }),
    );
  });

  it('trims a token name and bounds it to 256 printable characters', () => {
    expect(tokenDisplayName('  nightly build  ')).toBe('nightly build');
    expect(tokenDisplayName('x'.repeat(256))).toBe('x'.repeat(256));
    for (const refused of ['x'.repeat(257), 'tab\there', 'bell\u0007']) {
      expect(() => tokenDisplayName(refused)).toThrowError(
        expect.objectContaining({
          message: 'A token name must be at most 256 printable characters.',
          details: { field: 'displayName' },
        }),
      );
    }
  });

  it('parses scopes through the catalog', () => {
    expect(tokenScopes('vso.build vso.code,vso.build')).toEqual(['vso.build', 'vso.code']);
  });
});
