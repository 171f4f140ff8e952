import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lapis } from '../../src/app.js';
import { generatePat } from '../../src/domain/pat-format.js';
import { type ApiFixture, apiFixture, basic } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends, openSecondConnection } from '../support/backends.js';
import { dayMs, movableClock } from '../support/clock.js';
import { signatureValid, webhookReceiver } from '../support/webhook-receiver.js';

const secret = 'a-webhook-secret-of-some-length';
/** Instances sharing a database share the token key (the fingerprint check at start enforces it) and settings. */
const shared = {
  LAPIS_TOKEN_SECRET: 'ab'.repeat(32),
  LAPIS_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  LAPIS_WEBHOOK_INTERVAL_MS: '600000',
};

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`leak reports and webhooks (${backend.name})`, () => {
    let lapis: Lapis;
    let fixture: ApiFixture;
    let base: string;
    let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
    const clock = movableClock();

    async function start(env: Record<string, string> = {}) {
      const store = await backend.open();
      lapis = await testApp(store, {
        clock,
        env: { ...shared, ...env },
      });
      fixture = await apiFixture(lapis);
      base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      receiver = await webhookReceiver();
    }

    const report = (body: unknown, raw?: string) =>
      fetch(`${base}/_apis/tokens/leaks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: raw ?? JSON.stringify(body),
      });
    /** A webhook of contoso's to the loopback receiver, for every event unless `events` names some. */
    const addWebhook = (events?: string) =>
      lapis.services.webhooks.add({ organization: fixture.organization, url: receiver.url, secret, events, createdBy: 'alice' });
    /** A vso.build token of alice's in contoso, living `days` days. */
    const buildToken = (displayName: string, days = 30) =>
      lapis.services.tokens.create({
        user: fixture.alice,
        displayName,
        scope: 'vso.build',
        organizationId: fixture.organization.id,
        days,
      });
    const projects = (pat: string) => fetch(`${base}/contoso/_apis/projects`, { headers: basic(pat) });

    beforeEach(() => clock.set('2026-06-01T12:00:00.000Z'));
    afterEach(async () => {
      await lapis.app.close();
      await receiver.close();
    });
    afterAll(() => backend.cleanup());

    it('answers every report alike, then revokes a live leaked token and tells the organization, signed', async () => {
      await start();
      await addWebhook();
      const leaked = await fixture.pat('vso.project');
      expect((await projects(leaked)).status).toBe(200);

      const answers = [];
      for (const token of [leaked, generatePat(randomBytes), 'not-a-token']) {
        const response = await report([{ token, url: 'https://example.test/paste/1' }]);
        answers.push({ status: response.status, body: await response.json() });
      }
      expect(answers).toEqual(Array.from({ length: 3 }, () => ({ status: 202, body: { received: 1 } })));

      await lapis.services.leaks.idle();
      expect((await projects(leaked)).status).toBe(401);
      await lapis.services.webhooks.deliverDue();
      const events = receiver.received.map((hook) => hook.json.event).sort();
      expect(events).toEqual(['token.leaked', 'token.revoked']);
      for (const hook of receiver.received) {
        expect(signatureValid(hook, secret)).toBe(true);
        expect(signatureValid(hook, `${secret}x`)).toBe(false);
        expect(hook.body).not.toContain(leaked);
        expect(hook.headers['x-lapis-event']).toBe(hook.json.event);
      }
      const audit = await lapis.services.audit.page({ organizationId: fixture.organization.id }, 10);
      expect(audit.entries.map((entry) => [entry.action, entry.via])).toEqual(
        expect.arrayContaining([
          ['token.leaked', 'leak'],
          ['token.revoked', 'leak'],
        ]),
      );
      expect(JSON.stringify(audit.entries)).not.toContain(leaked);
      const leak = receiver.received.find((hook) => hook.json.event === 'token.leaked')?.json;
      expect(leak).toMatchObject({
        revoked: true,
        foundAt: 'https://example.test/paste/1',
        organization: { name: 'contoso' },
        token: { owner: 'alice', displayName: 'vso.project' },
      });
    });

    it('only reports a leak, without revoking, when the organization turned automatic revocation off', async () => {
      await start();
      await lapis.services.webhooks.add({
        organization: fixture.organization,
        url: receiver.url,
        secret,
        events: 'token.leaked',
        createdBy: 'alice',
      });
      await lapis.services.leaks.setAutoRevoke(fixture.organization.id, false);
      const leaked = await fixture.pat('vso.project');
      expect((await report([{ token: leaked, url: 'https://example.test/x' }])).status).toBe(202);
      await lapis.services.leaks.idle();
      expect((await projects(leaked)).status).toBe(200);
      await lapis.services.webhooks.deliverDue();
      expect(receiver.received.map((hook) => hook.json)).toMatchObject([{ event: 'token.leaked', revoked: false }]);
    });

    it('refuses malformed and oversized reports with a 400 envelope and limits each address', async () => {
      await start({ LAPIS_LEAK_REPORTS_PER_MINUTE: '4' });
      const bad = [
        await report({ token: 'x' }),
        await report([]),
        await report(Array.from({ length: 101 }, () => ({ token: 'x', url: '' }))),
        await report([{ token: 42 }]),
        await report(undefined, '[{"token": '),
      ];
      for (const response of bad) {
        expect(response.status).toBe(400);
        expect((await response.json()).message).toEqual(expect.any(String));
      }
      expect((await report(undefined, JSON.stringify([{ token: 'x'.repeat(200), url: 'u'.repeat(300_000) }]))).status).toBe(413);
      const limited = await report([{ token: 'x', url: '' }]);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('retries a failed delivery with backoff and records each attempt', async () => {
      await start();
      await addWebhook();
      const token = await buildToken('doomed');
      receiver.answer(500);
      await lapis.services.tokens.revoke(token.token);
      expect(await lapis.services.webhooks.deliverDue()).toBe(1);
      let [delivery] = await lapis.services.webhooks.deliveries(fixture.organization);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, event: 'token.revoked' });
      expect(Date.parse(delivery?.nextAttemptAt ?? '')).toBe(clock.now().getTime() + 10_000);

      expect(await lapis.services.webhooks.deliverDue()).toBe(0);
      clock.advance(10_000);
      expect(await lapis.services.webhooks.deliverDue()).toBe(1);
      [delivery] = await lapis.services.webhooks.deliveries(fixture.organization);
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204, lastError: null });
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[0]?.headers['x-lapis-delivery']).toBe(receiver.received[1]?.headers['x-lapis-delivery']);
    });

    it('gives a delivery up as failed after the last retry', async () => {
      await start();
      await addWebhook();
      const token = await buildToken('doomed');
      receiver.answer(500, 502, 503, 500, 500, 500);
      await lapis.services.tokens.revoke(token.token);
      for (let attempt = 0; attempt < 6; attempt++) {
        expect(await lapis.services.webhooks.deliverDue()).toBe(1);
        clock.advance(3 * 3_600_000);
      }
      expect(await lapis.services.webhooks.deliverDue()).toBe(0);
      const [delivery] = await lapis.services.webhooks.deliveries(fixture.organization);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 6, lastStatus: 500 });
    });

    it('sends one expiry notice per token and threshold, once across instances', async () => {
      await start();
      await addWebhook();
      const soon = await buildToken('soon', 6);
      await buildToken('later', 90);
      const other = await testApp(openSecondConnection(lapis.store as never), { clock, env: shared });
      try {
        const counts = await Promise.all([lapis.services.webhooks.scanExpiring(), other.services.webhooks.scanExpiring()]);
        expect(counts.reduce((a, b) => a + b)).toBe(1);
        expect(await lapis.services.webhooks.scanExpiring()).toBe(0);
        clock.advance(5.5 * dayMs);
        expect(await other.services.webhooks.scanExpiring()).toBe(1);
        await Promise.all([lapis.services.webhooks.deliverDue(), other.services.webhooks.deliverDue()]);
        const outcomes = (await lapis.services.webhooks.deliveries(fixture.organization)).map((d) => [d.status, d.lastError]);
        expect(outcomes).toEqual([
          ['delivered', null],
          ['delivered', null],
        ]);
      } finally {
        await other.app.close();
        await other.store.close();
      }
      // The two instances deliver in parallel, so arrival order is not part of the promise.
      const notices = receiver.received.map((hook) => hook.json);
      notices.sort((a, b) => Number(b.withinDays) - Number(a.withinDays));
      expect(notices).toMatchObject([
        { event: 'token.expiring', withinDays: 7, token: { authorizationId: soon.token.id, displayName: 'soon' } },
        { event: 'token.expiring', withinDays: 1, token: { authorizationId: soon.token.id } },
      ]);
    });

    it('sends no expiry notice for a token whose end was set by rotating it', async () => {
      await start();
      await addWebhook();
      const rotated = await buildToken('rotated', 90);
      const rotation = await lapis.services.tokenRotations.rotate({
        token: rotated.token,
        user: fixture.alice,
        graceSeconds: dayMs / 1000,
      });
      expect(Date.parse((await lapis.store.tokens.findById(rotated.token.id))?.validTo ?? '')).toBe(
        clock.now().getTime() + dayMs,
      );
      await buildToken('soon', 6);
      expect(await lapis.services.webhooks.scanExpiring()).toBe(1);
      await lapis.services.webhooks.deliverDue();
      const ids = receiver.received
        .filter((hook) => hook.json.event === 'token.expiring')
        .map((hook) => (hook.json.token as { authorizationId: string }).authorizationId);
      expect(ids).toHaveLength(1);
      expect(ids).not.toContain(rotated.token.id);
      expect(ids).not.toContain(rotation.successor.id);
    });

    it('keeps the signing secret sealed at rest and refuses bad webhook settings', async () => {
      await start();
      const added = await addWebhook();
      const [stored] = await lapis.store.webhooks.listForOrganization(fixture.organization.id);
      expect(stored?.secretSealed).not.toContain(secret);
      expect(JSON.stringify(await lapis.services.webhooks.list(fixture.organization))).not.toContain(stored?.secretSealed ?? '?');
      for (const input of [
        { url: 'ftp://example.test/hook', secret },
        { url: 'https://user:pw@example.test/hook', secret },
        { url: receiver.url, secret: 'short' },
        { url: receiver.url, secret, events: 'token.stolen' },
      ]) {
        await expect(
          lapis.services.webhooks.add({ organization: fixture.organization, createdBy: 'alice', ...input }),
        ).rejects.toMatchObject({ code: 'invalidInput' });
      }
      await lapis.services.webhooks.remove(fixture.organization, added.id);
      expect(await lapis.services.webhooks.list(fixture.organization)).toEqual([]);
    });

    it('refuses to call private addresses unless the operator allows it', async () => {
      await start({ LAPIS_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
      await addWebhook();
      await lapis.services.webhooks.add({
        organization: fixture.organization,
        url: receiver.url.replace('127.0.0.1', 'localhost'),
        secret,
        createdBy: 'alice',
      });
      const token = await buildToken('x');
      await lapis.services.tokens.revoke(token.token);
      expect(await lapis.services.webhooks.deliverDue()).toBe(2);
      expect(receiver.received).toHaveLength(0);
      const deliveries = await lapis.services.webhooks.deliveries(fixture.organization);
      expect(deliveries.map((delivery) => delivery.lastError)).toEqual([
        expect.stringMatching(/^refused: .*private address/),
        expect.stringMatching(/^refused: .*private address/),
      ]);
    });

    it('sends a delivery once when two instances try at the same moment', async () => {
      await start();
      await addWebhook();
      for (let index = 0; index < 5; index++) {
        const token = await buildToken(`t${index}`);
        await lapis.services.tokens.revoke(token.token);
      }
      const other = await testApp(openSecondConnection(lapis.store as never), { clock, env: shared });
      try {
        const sent = await Promise.all([lapis.services.webhooks.deliverDue(), other.services.webhooks.deliverDue()]);
        expect(sent.reduce((a, b) => a + b)).toBe(5);
        const deliveries = await lapis.services.webhooks.deliveries(fixture.organization);
        expect(deliveries.map((delivery) => delivery.status)).toEqual(Array(5).fill('delivered'));
      } finally {
        await other.app.close();
        await other.store.close();
      }
      expect(new Set(receiver.received.map((hook) => hook.headers['x-lapis-delivery'])).size).toBe(5);
      expect(receiver.received).toHaveLength(5);
    });
  });
}
