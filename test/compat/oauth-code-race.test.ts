import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerStatus } from '../support/api-call.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { authorizeCode, callback, registerTestApp } from '../support/oauth.js';

const contenders = 2;
/** Two requests overlap between reading the code and using it up only some of the time: repeat. */
const trials = 12;
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const jwtBearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * One authorization code sent to /oauth2/token by several clients at once, over a listening server: the
 * store's "first use wins" lets exactly one exchange succeed, and every loser is a replay that revokes
 * the grant, so even the winner's tokens stop working (docs/security.md promises both).
 */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`concurrent exchanges of one code on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let baseUrl: string;

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      await lapis.services.users.add({ username: 'alice', password: 'alice-password' });
      await lapis.services.organizations.add('contoso', 'alice');
      baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      await lapis?.app.close();
      await backend.cleanup();
    });

    async function exchange(secret: string, code: string): Promise<{ status: number; body: Record<string, string> }> {
      const answer = await tokenRequest({ client_assertion: secret, grant_type: jwtBearer, assertion: code });
      return { status: answer.status, body: (await answer.json()) as Record<string, string> };
    }

    async function tokenRequest(fields: Record<string, string>): Promise<Response> {
      return fetch(`${baseUrl}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_assertion_type: assertionType, redirect_uri: callback, ...fields }).toString(),
      });
    }

    it.each(Array.from({ length: trials }, (_unused, trial) => trial + 1))(
      'trial %i: one exchange wins and the losers revoke the grant',
      async () => {
        const alice = await lapis.services.users.get('alice');
        const { app, secret } = await registerTestApp(lapis.services, alice, 'vso.build vso.profile');
        const code = await authorizeCode(lapis.services, alice, { clientId: app.id, scope: 'vso.build vso.profile' });

        const answers = await Promise.all(Array.from({ length: contenders }, () => exchange(secret, code)));
        const winners = answers.filter((answer) => answer.status === 200);
        expect(winners).toHaveLength(1);
        for (const loser of answers.filter((answer) => answer.status !== 200)) {
          expect(loser.status).toBe(400);
          expect(loser.body.error).toBe('invalid_grant');
        }

        const tokens = winners[0]!.body;
        expect(await bearerStatus(baseUrl, 'contoso', tokens.access_token!)).toBe(401);
        const refreshed = await tokenRequest({
          client_assertion: secret,
          grant_type: 'refresh_token',
          assertion: tokens.refresh_token!,
        });
        expect(refreshed.status).toBe(400);
        expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');
      },
    );
  });
}
