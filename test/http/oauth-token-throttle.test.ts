import { afterAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { authorizeCode, callback, registerTestApp } from '../support/oauth.js';

const [sqlite] = backends();
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const jwtBearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('/oauth2/token throttles wrong client secrets', () => {
  afterAll(() => sqlite!.cleanup());

  it('per client id and per address: 429 with Retry-After past the limit, even for the right secret, until the window ends', async () => {
    const clock = movableClock();
    const lapis = await testApp(await sqlite!.open(), { clock, env: { LAPIS_AUTH_FAILURE_LIMIT: '3' } });
    const alice = await lapis.services.users.add({ username: 'alice' });
    await lapis.services.organizations.add('contoso', 'alice');
    const target = await registerTestApp(lapis.services, alice);
    const other = await registerTestApp(lapis.services, alice);
    const exchange = async (app: typeof target, secret: string, address: string) =>
      lapis.app.inject({
        method: 'POST',
        url: '/oauth2/token',
        remoteAddress: address,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          client_assertion_type: assertionType,
          client_assertion: secret,
          grant_type: jwtBearer,
          assertion: await authorizeCode(lapis.services, alice, { clientId: app.app.id }),
          redirect_uri: callback,
        }).toString(),
      });

    for (let i = 0; i < 3; i++) {
      const wrong = await exchange(target, 'not-the-secret', '10.0.0.1');
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toMatchObject({ error: 'invalid_client' });
    }
    // The right secret from the same address, and from another address for the same client: both held back.
    for (const address of ['10.0.0.1', '10.0.0.2']) {
      const held = await exchange(target, target.secret, address);
      expect(held.statusCode).toBe(429);
      expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
      expect(held.headers['cache-control']).toBe('no-store');
      expect(held.json()).toEqual({ error: 'invalid_client', error_description: expect.stringMatching(/Too many failed/) });
    }
    // The throttled address is held back for any client; another client from another address is not.
    expect((await exchange(other, other.secret, '10.0.0.1')).statusCode).toBe(429);
    expect((await exchange(other, other.secret, '10.0.0.3')).statusCode).toBe(200);

    clock.advance(61_000);
    expect((await exchange(target, target.secret, '10.0.0.1')).statusCode).toBe(200);
    await lapis.app.close();
  });
});
