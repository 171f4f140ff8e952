import { sql } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServices, type Services } from '../../src/compose.js';
import type { OAuthApp } from '../../src/domain/oauth.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { testConfig } from '../support/app.js';
import { backends, openSecondConnection } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { authorizeCode, callback, refusal, registerTestApp } from '../support/oauth.js';
import { seedWorld, type World } from '../support/world.js';

const secret = '5e'.repeat(32);
const issuer = 'http://lapis.test';

/** A real failure inside the database between spending the old token and storing the new one. */
async function failRefreshTokenInserts(store: KyselyStore): Promise<() => Promise<void>> {
  if (store.kind === 'sqlite') {
    await sql`create trigger fail_refresh_insert before insert on oauth_refresh_tokens begin select raise(abort, 'injected failure'); end`.execute(
      store.kysely,
    );
    return async () => void (await sql`drop trigger fail_refresh_insert`.execute(store.kysely));
  }
  await sql`create function fail_refresh_insert() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`.execute(
    store.kysely,
  );
  await sql`create trigger fail_refresh_insert before insert on oauth_refresh_tokens for each row execute function fail_refresh_insert()`.execute(
    store.kysely,
  );
  return async () => {
    await sql`drop trigger fail_refresh_insert on oauth_refresh_tokens`.execute(store.kysely);
    await sql`drop function fail_refresh_insert()`.execute(store.kysely);
  };
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`OAuth refresh rotation on ${backend.name}`, () => {
    let store: KyselyStore;
    let world: World;
    let app: OAuthApp;
    let clientSecret: string;
    const clock = movableClock();
    const env = () => ({ LAPIS_TOKEN_SECRET: secret, LAPIS_OAUTH_KEYS_FILE: `${testConfig().dataDir}/oauth-keys.json` });
    beforeEach(async () => {
      clock.set('2026-06-01T12:00:00.000Z');
      store = await backend.open();
      world = await seedWorld(store, clock, env());
      ({ app, secret: clientSecret } = await registerTestApp(world.services, world.alice));
    });
    afterAll(() => backend.cleanup());

    const exchange = async (services: Services = world.services) => {
      const code = await authorizeCode(services, world.alice, { clientId: app.id, scope: 'vso.build' });
      return services.oauthTokens.exchangeCode({ client: { secret: clientSecret }, code, redirectUri: callback, issuer });
    };
    const refresh = (refreshToken: string, services: Services = world.services) =>
      services.oauthTokens.refresh({ client: { secret: clientSecret }, refreshToken, issuer });
    const revoked = async (grantId: string) => (await store.oauthGrants.findById(grantId))?.revokedAt !== null;

    it('answers a retry within the window with the same refresh token and stores no plaintext', async () => {
      const first = await exchange();
      const second = await refresh(first.refreshToken);
      clock.advance(30_000);
      const retried = await refresh(first.refreshToken);
      expect(retried.refreshToken).toBe(second.refreshToken);
      expect(retried.authorizationId).toBe(first.authorizationId);
      expect(await revoked(first.authorizationId)).toBe(false);
      const rows = await store.kysely.selectFrom('oauth_refresh_tokens').selectAll().execute();
      for (const text of [first.refreshToken, second.refreshToken]) expect(JSON.stringify(rows)).not.toContain(text);
      const third = await refresh(retried.refreshToken);
      expect(third.refreshToken).not.toBe(second.refreshToken);
    });

    it('revokes the grant for a replay after the window', async () => {
      const first = await exchange();
      const second = await refresh(first.refreshToken);
      clock.advance(30_001);
      expect(await refusal(refresh(first.refreshToken))).toMatchObject({
        code: 'invalid_grant',
        description: expect.stringMatching(/already used; the authorization has been revoked/),
      });
      expect(await revoked(first.authorizationId)).toBe(true);
      expect((await refusal(refresh(second.refreshToken))).description).toMatch(/revoked/);
    });

    it('revokes the grant when the old token returns after its successor was used, even within the window', async () => {
      const first = await exchange();
      const second = await refresh(first.refreshToken);
      await refresh(second.refreshToken);
      expect((await refusal(refresh(first.refreshToken))).code).toBe('invalid_grant');
      expect(await revoked(first.authorizationId)).toBe(true);
    });

    it('treats every reuse as a replay when the window is 0', async () => {
      const strict = buildServices(store, clock, testConfig({ ...env(), LAPIS_OAUTH_REFRESH_RETRY_SECONDS: '0' }));
      const first = await exchange(strict);
      await refresh(first.refreshToken, strict);
      expect((await refusal(refresh(first.refreshToken, strict))).code).toBe('invalid_grant');
      expect(await revoked(first.authorizationId)).toBe(true);
    });

    it('gives two concurrent refreshes with one token the same successor', async () => {
      // Two connections on PostgreSQL, as two instances. A SQLite process has one connection (a second one here
      // would wait for the lock while blocking the event loop of its holder), so there the race is on that one.
      const other = store.kind === 'postgres' ? openSecondConnection(store) : undefined;
      try {
        const otherServices = other ? buildServices(other, clock, testConfig(env())) : world.services;
        const first = await exchange();
        const [a, b] = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken, otherServices)]);
        expect(a.refreshToken).toBe(b.refreshToken);
        expect(await revoked(first.authorizationId)).toBe(false);
        await refresh(a.refreshToken);
      } finally {
        await other?.close();
      }
    });

    it('spends the old refresh token only together with storing the new one', async () => {
      const first = await exchange();
      const restore = await failRefreshTokenInserts(store);
      await expect(refresh(first.refreshToken)).rejects.toThrow(/injected failure/);
      const code = await authorizeCode(world.services, world.alice, { clientId: app.id, scope: 'vso.build' });
      const exchangeAgain = () =>
        world.services.oauthTokens.exchangeCode({ client: { secret: clientSecret }, code, redirectUri: callback, issuer });
      await expect(exchangeAgain()).rejects.toThrow(/injected failure/);
      await restore();
      const second = await refresh(first.refreshToken);
      expect(await revoked(first.authorizationId)).toBe(false);
      await refresh(second.refreshToken);
      expect((await exchangeAgain()).authorizationId).toBeDefined();
    });
  });
}
