import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/domain/principal.js';
import { expiresAtHeader, expiryWarningHeader, setCredentialHeaders } from '../../src/http/auth/credential-headers.js';

const principal: Principal = {
  user: { id: 'u1', username: 'alice' } as Principal['user'],
  credential: 'pat',
  scopes: new Set(['vso.build']),
  organizationId: null,
  memberOf: new Set(),
  expiresAt: '2026-06-04T18:00:00.000Z',
};

/** One principal answered at several moments, as a cached PAT's principal is across requests. */
async function headersAt(moments: string[]) {
  const app = Fastify();
  app.get('/:at', (request, reply) => {
    setCredentialHeaders(reply, principal, new Date((request.params as { at: string }).at), 7);
    return {};
  });
  const answers = [];
  for (const at of moments) answers.push((await app.inject({ url: `/${at}` })).headers);
  await app.close();
  return answers;
}

describe('credential headers', () => {
  it('follows the days left for the same principal, worked out again only when they change', async () => {
    const [first, again, nextDay, outside, expired] = await headersAt([
      '2026-06-01T12:00:00.000Z',
      '2026-06-01T13:00:00.000Z',
      '2026-06-02T19:00:00.000Z',
      '2026-05-01T12:00:00.000Z',
      '2026-06-05T12:00:00.000Z',
    ]);
    expect(first?.[expiresAtHeader.toLowerCase()]).toBe('2026-06-04T18:00:00.000Z');
    expect(first?.[expiryWarningHeader.toLowerCase()]).toBe(
      '3 days left: this personal access token expires at 2026-06-04T18:00:00.000Z',
    );
    expect(again?.[expiryWarningHeader.toLowerCase()]).toMatch(/^3 days left/);
    expect(nextDay?.[expiryWarningHeader.toLowerCase()]).toMatch(/^1 day left/);
    expect(outside?.[expiryWarningHeader.toLowerCase()]).toBeUndefined();
    expect(expired?.[expiryWarningHeader.toLowerCase()]).toBeUndefined();
  });
});
