import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeAuditEntry, encodedAuditBatch, systemActor } from '../../src/domain/audit.js';
import { DomainError } from '../../src/domain/errors.js';
import { AuditLog } from '../../src/services/audit.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import { backends } from '../support/backends.js';
import { dayMs, movableClock } from '../support/clock.js';
import { seedWorld, type World } from '../support/world.js';

const cli = { actor: { userId: null, name: 'ops (CLI)' }, via: 'cli' } as const;

/** An administrative action on target `n`, by `actorName` through the CLI. */
function recordAction(audit: AuditLog, operation: string, n: number, actorName = 'ops'): void {
  audit.record({
    action: 'admin.action',
    origin: { actor: { userId: null, name: actorName }, via: 'cli' },
    operation,
    target: `target ${n}`,
    organizationId: null,
  });
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`audit log and token policies on ${backend.name}`, () => {
    let store: KyselyStore;
    let world: World;
    const clock = movableClock();
    beforeEach(async () => {
      clock.set('2026-06-01T12:00:00.000Z');
      store = await backend.open();
      world = await seedWorld(store, clock, { LAPIS_AUTH_FAILURE_LIMIT: '1', LAPIS_AUDIT_FLUSH_MS: '60000' });
    });
    afterAll(() => backend.cleanup());

    /** A log over this store that writes only when asked or full; the context of each failure it reports goes to `reports`. */
    const reportingAudit = (reports: string[]) =>
      new AuditLog(store, clock, { flushMs: 60_000, retentionDays: 90, onError: (_, context) => reports.push(context) });

    /** Every stored entry, oldest first, read through the repository (on SQLite the log has its own file). */
    const rows = async () => (await store.audit.page({}, 100_000)).reverse();

    it('queues events without touching the database, writes them in one batch, and loses none at close', async () => {
      const { tokens, audit } = world.services;
      const created = await tokens.create({
        user: world.alice,
        displayName: 'deploy',
        scope: 'vso.build',
        organizationId: world.contoso.id,
        days: 7,
        origin: cli,
      });
      await tokens.update(created.token, world.alice, { displayName: 'deploy-2' }, cli);
      await tokens.revoke(created.token, cli);
      // The flush timer is a minute away: nothing is written until a read or the close.
      expect(await rows()).toHaveLength(0);
      await audit.close();
      const written = await rows();
      expect(written.map((r) => r.action)).toEqual(['token.created', 'token.updated', 'token.revoked']);
      expect(written.every((r) => r.via === 'cli' && r.actorName === 'ops (CLI)' && r.organizationId === world.contoso.id)).toBe(
        true,
      );
      expect(written[0]?.data).toMatchObject({ authorizationId: created.token.id, scope: 'vso.build' });
    });

    it('writes a batch of any size whole, every field in its own column', async () => {
      // 293 = 256 + 32 + 4 + 1: one statement of each size the repository cuts a batch into.
      const entries = Array.from({ length: 293 }, (_, n) => ({
        id: `2026-06-01T12:00:00.000Z.${String(n).padStart(6, '0')}.batch`,
        timestamp: new Date(Date.parse('2026-06-01T12:00:00.000Z') + n).toISOString(),
        organizationId: n % 2 ? world.contoso.id : null,
        action: 'admin.action' as const,
        actorId: n % 3 ? world.alice.id : null,
        actorName: `actor ${n}`,
        via: n % 5 ? ('api' as const) : null,
        ipAddress: n % 7 ? `10.0.${n % 256}.1` : null,
        details: `details ${n}`,
        data: { n, note: `entry ${n}` },
      }));
      await store.audit.insertBatch(encodedAuditBatch(entries.map(encodeAuditEntry)));
      const back = await store.audit.page({}, 1_000);
      expect(back.reverse()).toEqual(entries);
    });

    it('writes a full slice of 64 as soon as it is queued, a partial one only on the timer, a read or the close', async () => {
      const audit = new AuditLog(store, clock, { flushMs: 60_000, retentionDays: 90 });
      const record = (n: number) => recordAction(audit, 'test.eager', n);
      const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
      for (let n = 0; n < 63; n++) record(n);
      await nextTurn();
      expect(await rows()).toHaveLength(0);
      record(63);
      await vi.waitFor(async () => expect(await rows()).toHaveLength(64));
      record(64);
      await nextTurn();
      expect(await rows()).toHaveLength(64);
      await audit.close();
      expect(await rows()).toHaveLength(65);
    });

    it('writes a long queue in slices, letting other work run between them and keeping the slices written before a failure', async () => {
      const failures: string[] = [];
      const audit = reportingAudit(failures);
      const record = (n: number, actorName = 'ops') => recordAction(audit, 'test.slice', n, actorName);
      for (let n = 0; n < 300; n++) record(n);
      let done = false;
      let ranBetween = false;
      const flushed = audit.flush().then(() => {
        done = true;
      });
      setImmediate(() => {
        ranBetween = !done;
      });
      await flushed;
      expect(ranBetween).toBe(true);
      expect(await rows()).toHaveLength(300);

      // An entry the database refuses (a null actor name) fails its slice whole; the slices before it stay written.
      for (let n = 0; n < 200; n++) record(n, n === 150 ? (null as unknown as string) : 'ops');
      await audit.flush();
      await audit.flush();
      expect(await rows()).toHaveLength(300 + 128);
      expect(failures.length).toBeGreaterThan(0);
      expect(new Set(failures)).toEqual(new Set(['could not write the audit log']));
      // While writes fail, a full queue waits for the retry instead of trying again at every event.
      const failed = failures.length;
      for (let n = 0; n < 64; n++) record(n);
      await new Promise((resolve) => setImmediate(resolve));
      await audit.flush();
      expect(failures).toHaveLength(failed + 1);
    });

    it('holds at most maxQueued entries while writes fail, dropping the oldest and saying how many', async () => {
      const reports: string[] = [];
      const audit = new AuditLog(store, clock, {
        flushMs: 60_000,
        retentionDays: 90,
        maxQueued: 100,
        onError: (error, context) => reports.push(`${context}: ${(error as Error).message}`),
      });
      const record = (n: number, actorName = 'ops') => recordAction(audit, 'test.bound', n, actorName);
      const refused = null as unknown as string;
      const targets = async () => (await rows()).map((row) => (row.data as { target: string }).target);

      // 250 events in one turn, the first one the database refuses: the 150 oldest go, the refused one with them.
      record(0, refused);
      for (let n = 1; n < 250; n++) record(n);
      await audit.flush();
      expect(reports).toEqual(['audit queue full: 150 audit entries dropped']);
      expect(await targets()).toEqual(Array.from({ length: 100 }, (_, n) => `target ${150 + n}`));

      // A slice the database refuses waits for the retry, ahead of newer ones, until the bound drops it whole.
      reports.length = 0;
      record(1000, refused);
      for (let n = 1001; n < 1064; n++) record(n);
      await audit.flush();
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/^could not write the audit log: /);
      for (let n = 1064; n < 1128; n++) record(n);
      await new Promise((resolve) => setImmediate(resolve));
      expect(reports.slice(1)).toEqual(['audit queue full: 64 audit entries dropped']);
      await audit.close();
      expect((await targets()).slice(100)).toEqual(Array.from({ length: 64 }, (_, n) => `target ${1064 + n}`));
    });

    it('reports an event it cannot make an entry of, after the turn that recorded it, and writes the others', async () => {
      const reports: string[] = [];
      const audit = reportingAudit(reports);
      recordAction(audit, 'test.before', 1);
      // A token event without its token: making its entry throws, outside any request.
      audit.record({ action: 'token.created', origin: cli } as unknown as Parameters<AuditLog['record']>[0]);
      recordAction(audit, 'test.after', 2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(reports).toEqual(['could not make an audit entry']);
      await audit.close();
      expect((await rows()).map((row) => (row.data as { operation: string }).operation)).toEqual(['test.before', 'test.after']);
    });

    it('stores no token, secret or password in any entry', async () => {
      const { tokens, signIn, oauthApps, oauth, audit } = world.services;
      const secrets: string[] = [];
      const created = await tokens.create({
        user: world.alice,
        displayName: 'ci',
        scope: 'app_token',
        organizationId: null,
        days: 3,
      });
      secrets.push(created.text);
      const regenerated = await tokens.regenerate(created.token, world.alice, cli);
      secrets.push(regenerated.text);
      for (let attempt = 0; attempt < 6; attempt++) {
        // A new name each time: the per-address count (five times the per-name limit of 1) reaches its limit.
        await signIn.signIn({ username: `alice${attempt}`, password: `wrong-password-${attempt}`, clientAddress: '203.0.113.9' });
        secrets.push(`wrong-password-${attempt}`);
      }
      const registered = await oauthApps.register({
        owner: world.alice,
        name: 'Dashboard',
        callbackUrls: ['https://dash.example.test/cb'],
        scope: 'vso.build',
      });
      secrets.push(registered.secret);
      const validation = await oauth.validateAuthorizeRequest({
        clientId: registered.app.id,
        redirectUri: 'https://dash.example.test/cb',
        responseType: 'Assertion',
        scope: 'vso.build',
        state: 's',
      });
      if (!validation.ok) throw new Error(validation.description);
      const approved = await oauth.approve(world.alice, validation.request);
      const code = new URL(approved.redirectTo).searchParams.get('code') ?? '';
      secrets.push(code);
      await world.services.oauthGrants.revoke(approved.grant, { actor: systemActor, via: 'api' });
      await audit.flush();
      const stored = JSON.stringify(await rows());
      expect(stored).toContain('oauth.granted');
      expect(stored).toContain('oauth.revoked');
      expect(stored).toContain('auth.failureBurst');
      expect(stored).toContain('token.regenerated');
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(8);
        expect(stored).not.toContain(secret);
        expect(stored).not.toContain(secret.slice(0, 12));
      }
    });

    it('pages newest first by continuation, filters by time and organization, and prunes past retention', async () => {
      const { audit } = world.services;
      for (let i = 0; i < 5; i++) {
        audit.record({
          action: 'admin.action',
          origin: cli,
          operation: 'organization.memberAdded',
          target: `user${i}`,
          organizationId: i === 4 ? world.fabrikam.id : world.contoso.id,
        });
        clock.advance(dayMs);
      }
      const first = await audit.page({ organizationId: world.contoso.id }, 3);
      expect(first.entries.map((e) => e.data.target)).toEqual(['user3', 'user2', 'user1']);
      const second = await audit.page({ organizationId: world.contoso.id, before: first.continuation }, 3);
      expect(second.entries.map((e) => e.data.target)).toEqual(['user0']);
      expect(second.continuation).toBeUndefined();
      const window = await audit.page(
        {
          organizationId: world.contoso.id,
          startTime: new Date('2026-06-02T12:00:00Z'),
          endTime: new Date('2026-06-04T12:00:00Z'),
        },
        10,
      );
      expect(window.entries.map((e) => e.data.target)).toEqual(['user2', 'user1']);
      clock.advance(88 * dayMs);
      expect(await audit.prune()).toBe(3);
      expect((await rows()).map((r) => r.data.target)).toEqual(['user3', 'user4']);
    });

    it('lists as breaking a policy only tokens still working: not one a revocation rule ended', async () => {
      const { tokens, policies, revocationRules } = world.services;
      await policies.set(world.contoso, 'fullScope', { mode: 'audit' }, cli);
      const base = { user: world.alice, scope: 'app_token', organizationId: world.contoso.id, days: 60 };
      const ruled = await tokens.create({ ...base, displayName: 'ruled' });
      clock.advance(60_000);
      await revocationRules.add(world.contoso, 'app_token', clock.now().toISOString(), cli);
      clock.advance(60_000);
      const later = await tokens.create({ ...base, displayName: 'later' });
      expect((await tokens.list(world.alice)).find((t) => t.id === ruled.token.id)?.revokedAt).toBeTruthy();
      expect((await policies.violatingTokens(world.contoso)).map((v) => v.token.id)).toEqual([later.token.id]);
    });

    it('applies each policy in each mode: audit records, warn names the token on use, enforce refuses', async () => {
      const { tokens, policies, audit } = world.services;
      const input = { user: world.alice, displayName: 'wide', scope: 'app_token', organizationId: world.contoso.id, days: 60 };
      await policies.set(world.contoso, 'fullScope', { mode: 'audit' }, cli);
      const audited = await tokens.create(input);
      expect(policies.warningFor(audited.token, new Set([world.contoso.id]), '198.51.100.1')).toBeUndefined();

      await policies.set(world.contoso, 'fullScope', { mode: 'warn' }, cli);
      expect(policies.warningFor(audited.token, new Set([world.contoso.id]), '198.51.100.1')).toMatch(/restricts full-access/);

      await policies.set(world.contoso, 'fullScope', { mode: 'enforce' }, cli);
      await expect(tokens.create(input)).rejects.toMatchObject({ code: 'fullScopePatPolicyViolation' });
      // Existing tokens keep working until renewed; renewing one is judged like a new one.
      expect(policies.warningFor(audited.token, new Set([world.contoso.id]), undefined)).toMatch(/full-access/);
      await expect(tokens.regenerate(audited.token, world.alice)).rejects.toBeInstanceOf(DomainError);
      expect((await policies.violatingTokens(world.contoso)).map((v) => v.token.id)).toEqual([audited.token.id]);

      await policies.set(world.contoso, 'fullScope', { mode: 'enforce', allow: ['alice'] }, cli);
      await expect(tokens.create(input)).resolves.toBeDefined();
      await policies.set(world.contoso, 'fullScope', { mode: 'off', allow: [] }, cli);

      await policies.set(world.contoso, 'maxLifespan', { mode: 'enforce', maxDays: 30 }, cli);
      const narrow = { ...input, scope: 'vso.build' };
      await expect(tokens.create(narrow)).rejects.toMatchObject({ code: 'patLifespanPolicyViolation' });
      const within = await tokens.create({ ...narrow, days: 30 });
      await expect(
        tokens.update(within.token, world.alice, { validTo: new Date(Date.parse(within.token.validFrom) + 40 * dayMs) }),
      ).rejects.toMatchObject({
        code: 'patLifespanPolicyViolation',
      });
      await expect(tokens.update(within.token, world.alice, { displayName: 'renamed' })).resolves.toBeDefined();

      await policies.set(world.contoso, 'globalTokens', { mode: 'enforce' }, cli);
      await expect(tokens.create({ ...narrow, days: 10, organizationId: null })).rejects.toMatchObject({
        code: 'globalPatPolicyViolation',
      });
      // bob belongs to contoso only through membership, alice to fabrikam too: fabrikam has no policy, contoso still refuses.
      await expect(tokens.create({ ...narrow, user: world.bob, days: 10, organizationId: null })).rejects.toMatchObject({
        code: 'globalPatPolicyViolation',
      });
      await expect(policies.set(world.contoso, 'maxLifespan', { mode: 'enforce', maxDays: 0 }, cli)).rejects.toThrow(
        /whole number/,
      );
      await expect(policies.set(world.contoso, 'fullScope', { mode: 'warn', allow: ['nobody'] }, cli)).rejects.toThrow(/nobody/);

      const violations = (await audit.page({ organizationId: world.contoso.id, actions: ['policy.violation'] }, 100)).entries;
      const seen = new Set(violations.map((v) => `${v.data.policy}/${v.data.mode}/${v.data.during}`));
      expect([...seen].sort()).toEqual(
        [
          'fullScope/audit/create',
          'fullScope/audit/use',
          'fullScope/warn/use',
          'fullScope/enforce/create',
          'fullScope/enforce/use',
          'maxLifespan/enforce/create',
          'maxLifespan/enforce/update',
          'globalTokens/enforce/create',
        ].sort(),
      );
      const changes = (await audit.page({ organizationId: world.contoso.id, actions: ['admin.action'] }, 100)).entries;
      expect(changes.length).toBe(7);
    });

    it('reads the policies of another process within the cache lifetime, without a query on the request path', async () => {
      const { tokens, policies } = world.services;
      const other = await seedWorldSibling(store, clock);
      const created = await tokens.create({
        user: world.alice,
        displayName: 'w',
        scope: 'app_token',
        organizationId: world.contoso.id,
        days: 5,
      });
      await other.policies.set(world.contoso, 'fullScope', { mode: 'warn' }, cli);
      expect(policies.warningFor(created.token, new Set(), undefined)).toBeUndefined();
      clock.advance(1000);
      // The stale snapshot answers this call and starts a reload in the background.
      expect(policies.warningFor(created.token, new Set(), undefined)).toBeUndefined();
      await policies.refresh();
      expect(policies.warningFor(created.token, new Set(), undefined)).toMatch(/full-access/);
    });
  });
}

async function seedWorldSibling(store: KyselyStore, clock: ReturnType<typeof movableClock>) {
  const { buildServices } = await import('../../src/compose.js');
  const { testConfig } = await import('../support/app.js');
  return buildServices(store, clock, testConfig());
}
