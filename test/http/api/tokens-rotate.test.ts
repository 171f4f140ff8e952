import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, basic } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends, openSecondConnection } from '../../support/backends.js';
import { movableClock } from '../../support/clock.js';
import { accessTokenFor } from '../../support/oauth.js';
import { tokenApiServer } from '../../support/token-api.js';

const version = 'api-version=7.1-preview.1';

interface RotateAnswer {
  patToken: { authorizationId: string; displayName: string; scope: string; validTo: string; token: string | null } | null;
  patTokenError: string;
  rotation: { rotatedAuthorizationId: string; graceSeconds: number; graceEndsAt: string; replayed: boolean } | null;
}

type Lapis = Awaited<ReturnType<typeof testApp>>;

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`PAT rotation through a listening server on ${backend.name}`, () => {
    // The clock stands still unless a test moves it, so a cached token is dropped by the change notice alone.
    const clock = movableClock(new Date().toISOString());
    /** Instances sharing a database share the token key; webhooks are queued, not sent, here. */
    const env = { LAPIS_TOKEN_SECRET: 'cd'.repeat(32), LAPIS_WEBHOOK_INTERVAL_MS: '600000' };
    let lapis: Lapis;
    let second: Lapis;
    let fixture: ApiFixture;
    let url: string;
    let secondUrl: string;
    let bearer: string;

    beforeAll(async () => {
      const store = await backend.open();
      ({ lapis, fixture, url, bearer } = await tokenApiServer(store, { clock, env }));
      // A second instance with its own connection to the same database, as behind a load balancer.
      second = await testApp(openSecondConnection(store), { clock, env });
      await second.app.listen({ port: 0, host: '127.0.0.1' });
      secondUrl = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await second?.app.close();
      await second?.store.close();
      await lapis.app.close();
      await backend.cleanup();
    });

    async function rotate(id: string, body: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${url}/contoso/_apis/tokens/pats/${id}/rotate?${version}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          'x-tfs-fedauthredirect': 'Suppress',
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as RotateAnswer & { message?: string; typeKey?: string } };
    }

    async function builds(pat: string, base = url): Promise<number> {
      return (await fetch(`${base}/contoso/web/_apis/build/builds?api-version=7.1`, { headers: basic(pat) })).status;
    }

    async function newToken(name: string) {
      return lapis.services.tokens.create({
        user: fixture.alice,
        displayName: name,
        scope: 'vso.build',
        organizationId: fixture.organization.id,
        days: 30,
        restrictions: { readOnly: true, rateLimit: '600/min' },
      });
    }

    it('returns a successor once; the old token works on every instance until the grace window ends, then stops', async () => {
      const old = await newToken('deploy');
      await lapis.services.webhooks.add({
        organization: fixture.organization,
        url: 'https://hooks.example.test/lapis',
        secret: 'a-webhook-secret-of-some-length',
        events: 'token.rotated',
        createdBy: 'alice',
      });
      expect(await builds(old.text, secondUrl)).toBe(200); // now cached on the second instance
      const answer = await rotate(old.token.id, { graceSeconds: 60 });
      expect(answer.status).toBe(200);
      const successor = answer.json.patToken;
      expect(answer.json).toMatchObject({
        patTokenError: 'none',
        patToken: { displayName: 'deploy', scope: 'vso.build', token: expect.stringMatching(/^[A-Za-z0-9]{84}$/) },
        rotation: { rotatedAuthorizationId: old.token.id, graceSeconds: 60, replayed: false },
      });
      expect(successor?.authorizationId).not.toBe(old.token.id);
      expect(Date.parse(answer.json.rotation?.graceEndsAt ?? '')).toBe(clock.now().getTime() + 60_000);
      const stored = await lapis.services.tokens.get(successor?.authorizationId ?? '');
      expect(stored.restrictions).toEqual(old.token.restrictions);
      expect(JSON.stringify(stored)).not.toContain(successor?.token);

      expect(await builds(successor?.token ?? '')).toBe(200);
      expect(await builds(successor?.token ?? '', secondUrl)).toBe(200);
      expect(await builds(old.text)).toBe(200);
      expect(await builds(old.text, secondUrl)).toBe(200);
      const [delivery] = await lapis.services.webhooks.deliveries(fixture.organization);
      expect(delivery?.event).toBe('token.rotated');
      expect(JSON.parse(delivery?.payload ?? '{}')).toMatchObject({
        token: { authorizationId: old.token.id, displayName: 'deploy' },
        successor: { authorizationId: successor?.authorizationId },
        graceEndsAt: answer.json.rotation?.graceEndsAt,
      });
      expect(delivery?.payload).not.toContain(successor?.token);

      clock.advance(61_000);
      expect(await builds(old.text)).toBe(401);
      await expect.poll(() => builds(old.text, secondUrl), { timeout: 5_000 }).toBe(401);
      expect(await builds(successor?.token ?? '', secondUrl)).toBe(200);

      expect(await lapis.services.tokenRotations.sweep()).toBeGreaterThanOrEqual(1);
      const entries = await lapis.services.audit.page({ organizationId: fixture.organization.id }, 50);
      const rotated = entries.entries.find(
        (entry) => entry.action === 'token.rotated' && entry.data.authorizationId === old.token.id,
      );
      expect(rotated?.data).toMatchObject({ successorId: successor?.authorizationId, graceSeconds: 60 });
      const ended = entries.entries.find(
        (entry) => entry.action === 'token.graceEnded' && entry.data.authorizationId === old.token.id,
      );
      expect(ended?.data).toMatchObject({ successorId: successor?.authorizationId });
      expect(JSON.stringify(entries.entries)).not.toContain(old.text);
      // Recorded once, however many sweeps and instances look.
      await second.services.tokenRotations.sweep();
      const again = await lapis.services.audit.page(
        { organizationId: fixture.organization.id, actions: ['token.graceEnded'] },
        50,
      );
      expect(again.entries.filter((entry) => entry.data.authorizationId === old.token.id)).toHaveLength(1);
    });

    it('records no end of grace for a token revoked during its window', async () => {
      const old = await newToken('revoked in grace');
      await rotate(old.token.id, { graceSeconds: 30 });
      await lapis.services.tokens.revoke(await lapis.services.tokens.get(old.token.id));
      clock.advance(31_000);
      await lapis.services.tokenRotations.sweep();
      const ended = await lapis.services.audit.page(
        { organizationId: fixture.organization.id, actions: ['token.graceEnded'] },
        50,
      );
      expect(ended.entries.filter((entry) => entry.data.authorizationId === old.token.id)).toEqual([]);
      expect(await lapis.services.tokenRotations.rotationOf(old.token.id)).toMatchObject({ endedAt: clock.now().toISOString() });
    });

    it('with no grace the old token is revoked at once', async () => {
      const old = await newToken('now');
      expect(await builds(old.text, secondUrl)).toBe(200);
      const answer = await rotate(old.token.id, { graceSeconds: 0 });
      expect(answer.json.patTokenError).toBe('none');
      expect(await builds(old.text)).toBe(401);
      // The second instance cached the old token and the clock has not moved: only the change notice can stop it.
      await expect.poll(() => builds(old.text, secondUrl), { timeout: 5_000 }).toBe(401);
      expect((await lapis.services.tokens.get(old.token.id)).revokedAt).not.toBeNull();
      expect(await builds(answer.json.patToken?.token ?? '')).toBe(200);
    });

    it('replays a retry with the same Idempotency-Key and refuses the key with another request', async () => {
      const old = await newToken('retried');
      const other = await newToken('other');
      const key = { 'idempotency-key': `key-${old.token.id}` };
      const first = await rotate(old.token.id, { graceSeconds: 3600 }, key);
      const retry = await rotate(old.token.id, { graceSeconds: 3600 }, key);
      expect(retry.status).toBe(200);
      expect(retry.json.patToken).toEqual(first.json.patToken);
      expect(retry.json.rotation).toEqual({ ...first.json.rotation, replayed: true });

      const otherGrace = await rotate(old.token.id, { graceSeconds: 60 }, key);
      expect(otherGrace.status).toBe(422);
      expect(otherGrace.json.typeKey).toBe('IdempotencyKeyReusedException');
      expect((await rotate(other.token.id, { graceSeconds: 3600 }, key)).status).toBe(422);

      const withoutKey = await rotate(old.token.id, { graceSeconds: 3600 });
      expect(withoutKey.status).toBe(409);
      expect(withoutKey.json.message).toContain(first.json.patToken?.authorizationId);
      const withNewKey = await rotate(old.token.id, { graceSeconds: 3600 }, { 'idempotency-key': 'fresh' });
      expect(withNewKey.status).toBe(409);

      // A token in grace cannot be changed or regenerated either: its successor is the one to manage.
      const put = await fetch(`${url}/contoso/_apis/tokens/pats?${version}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ authorizationId: old.token.id, validTo: new Date(clock.now().getTime() + 86_400_000 * 20) }),
      });
      expect(put.status).toBe(409);

      // Past the replay window the sealed copy is gone: the key is forgotten and the token stays rotated.
      clock.advance(3_000_000);
      await lapis.services.tokenRotations.sweep();
      clock.advance(86_400_000);
      await lapis.services.tokenRotations.sweep();
      bearer = await accessTokenFor(lapis, fixture.alice, 'vso.tokens'); // the first one expired meanwhile
      const late = await rotate(old.token.id, { graceSeconds: 3600 }, key);
      expect(late.status).toBe(409);
      const rotation = await lapis.services.tokenRotations.rotationOf(old.token.id);
      expect(rotation).toMatchObject({ successorSealed: null, idempotencyKeyHash: null });
    });

    it('replays, not refuses, a keyed rotation that another request with the same key committed mid-check', async () => {
      // Found by CI: the key was read before the other request committed, the token after, so it looked rotated
      // by someone else (409). Here the other request commits exactly between this request's reads.
      const old = await newToken('interleaved');
      const rotations = lapis.store.tokenRotations;
      const readKey = rotations.findByIdempotencyKey.bind(rotations);
      const request = { token: old.token, user: fixture.alice, graceSeconds: 600, idempotencyKey: 'interleaved-key' };
      let first: Awaited<ReturnType<typeof lapis.services.tokenRotations.rotate>> | undefined;
      rotations.findByIdempotencyKey = async (userId, keyHash) => {
        const found = await readKey(userId, keyHash);
        if (!first) {
          rotations.findByIdempotencyKey = readKey;
          first = await lapis.services.tokenRotations.rotate(request);
        }
        return found;
      };
      try {
        const second = await lapis.services.tokenRotations.rotate(request);
        expect(second).toMatchObject({ replayed: true, successor: { id: first?.successor.id } });
        expect(second.text).toBe(first?.text);
      } finally {
        rotations.findByIdempotencyKey = readKey;
      }
    });

    it('mints one successor for identical rotations sent at once', async () => {
      const old = await newToken('raced');
      const before = (await lapis.services.tokens.list(fixture.alice)).length;
      const key = { 'idempotency-key': `race-${old.token.id}` };
      const answers = await Promise.all(Array.from({ length: 6 }, () => rotate(old.token.id, { graceSeconds: 600 }, key)));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
      const successors = new Set(answers.map((answer) => answer.json.patToken?.authorizationId));
      expect(successors.size).toBe(1);
      expect(new Set(answers.map((answer) => answer.json.patToken?.token)).size).toBe(1);
      expect(answers.filter((answer) => !answer.json.rotation?.replayed)).toHaveLength(1);
      expect((await lapis.services.tokens.list(fixture.alice)).length).toBe(before + 1);

      const unkeyed = await newToken('raced without a key');
      const statuses = await Promise.all(Array.from({ length: 4 }, () => rotate(unkeyed.token.id, { graceSeconds: 600 })));
      expect(statuses.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409]);
      expect((await lapis.services.tokens.list(fixture.alice)).length).toBe(before + 3);
    });

    it('refuses a grace window out of range, a bad key, a revoked or unknown token, and a PAT caller', async () => {
      const old = await newToken('bounds');
      for (const graceSeconds of [-1, 604_801, 1.5, '3600', null]) {
        const answer = await rotate(old.token.id, { graceSeconds });
        expect(answer.status, JSON.stringify(graceSeconds)).toBe(400);
        expect(answer.json.message).toMatch(/grace window/);
      }
      expect((await rotate(old.token.id, {})).status).toBe(400);
      expect((await rotate(old.token.id, { graceSeconds: 604_800 })).json.rotation?.graceSeconds).toBe(604_800);

      const key = await newToken('bad key');
      expect((await rotate(key.token.id, { graceSeconds: 60 }, { 'idempotency-key': 'x'.repeat(256) })).status).toBe(400);
      expect((await rotate('3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32', { graceSeconds: 60 })).json.patTokenError).toBe(
        'tokenNotFound',
      );
      expect((await rotate('nope', { graceSeconds: 60 })).json.patTokenError).toBe('invalidAuthorizationId');
      await lapis.services.tokens.revoke(key.token);
      expect((await rotate(key.token.id, { graceSeconds: 60 })).json.patTokenError).toBe('invalidToken');

      const pat = await fixture.pat('vso.tokens vso.build');
      const byPat = await fetch(`${url}/contoso/_apis/tokens/pats/${old.token.id}/rotate?${version}`, {
        method: 'POST',
        headers: { ...basic(pat), 'content-type': 'application/json' },
        body: JSON.stringify({ graceSeconds: 60 }),
      });
      expect(byPat.status).toBe(401);
    });
  });
}
