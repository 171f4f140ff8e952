import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditEntry, encodeAuditEntry, encodedAuditBatch } from '../../../src/domain/audit.js';
import type { KyselyStore } from '../../../src/storage/kysely/store.js';
import { type ApiFixture, apiFixture } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';

const cli = { actor: { userId: null, name: 'ops (CLI)' }, via: 'cli' } as const;

/** A GET over a real socket that reports how the body arrived: the number of chunks and the transfer encoding. */
function chunkedGet(
  url: string,
  token: string,
): Promise<{ status: number; encoding: string | undefined; chunks: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { headers: { authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}` } },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            encoding: response.headers['transfer-encoding'],
            chunks: parts.length,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`audit log API and policy header on ${backend.name}`, () => {
    let store: KyselyStore;
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let base: string;
    beforeEach(async () => {
      store = await backend.open();
      lapis = await testApp(store);
      fixture = await apiFixture(lapis);
      base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterEach(() => lapis.app.close());
    afterAll(() => backend.cleanup());

    const get = (path: string, token: string) =>
      fetch(`${base}${path}`, {
        headers: { authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}`, 'x-tfs-fedauthredirect': 'Suppress' },
      });

    it('answers the audit log query in Azure DevOps shape, pages by continuation token and refuses non-owners', async () => {
      const reader = await fixture.pat('vso.auditlog');
      for (let i = 0; i < 3; i++) await fixture.pat('vso.build');
      const first = await get('/contoso/_apis/audit/auditlog?batchSize=2&api-version=7.1-preview.1', reader);
      expect(first.status).toBe(200);
      const page = await first.json();
      expect(page.decoratedAuditLogEntries).toHaveLength(2);
      expect(page.hasMore).toBe(true);
      expect(page.decoratedAuditLogEntries[0]).toMatchObject({
        actionId: 'token.created',
        actorDisplayName: 'alice',
        scopeType: 'organization',
        scopeId: fixture.organization.id,
        area: 'token',
        data: { displayName: 'vso.build' },
      });
      const rest = await (
        await get(
          `/contoso/_apis/audit/auditlog?batchSize=10&continuationToken=${encodeURIComponent(page.continuationToken)}&api-version=7.1-preview.1`,
          reader,
        )
      ).json();
      expect(rest.decoratedAuditLogEntries.map((e: { actionId: string }) => e.actionId)).toEqual([
        'token.created',
        'token.created',
      ]);
      expect(rest.hasMore).toBe(false);
      expect(rest.continuationToken).toBeNull();

      const future = await (
        await get('/contoso/_apis/audit/auditlog?startTime=2999-01-01T00:00:00Z&api-version=7.1-preview.1', reader)
      ).json();
      expect(future.decoratedAuditLogEntries).toEqual([]);

      for (const bad of [
        'batchSize=0',
        'batchSize=x',
        'startTime=yesterday',
        'startTime=2026-02-01T00:00:00Z&endTime=2026-01-01T00:00:00Z',
      ]) {
        const refused = await get(`/contoso/_apis/audit/auditlog?${bad}&api-version=7.1-preview.1`, reader);
        expect(refused.status, bad).toBe(400);
        expect((await refused.json()).typeKey).toBe('ArgumentException');
      }
      const wrongScope = await get('/contoso/_apis/audit/auditlog?api-version=7.1-preview.1', await fixture.pat('vso.build'));
      expect(wrongScope.status).toBe(401);

      const bob = await lapis.services.users.add({ username: 'bob' });
      await lapis.services.organizations.addMember('contoso', 'bob');
      const bobs = await lapis.services.tokens.create({
        user: bob,
        displayName: 'b',
        scope: 'vso.auditlog',
        organizationId: fixture.organization.id,
        days: 5,
      });
      const denied = await get('/contoso/_apis/audit/auditlog?api-version=7.1-preview.1', bobs.text);
      expect(denied.status).toBe(403);
      expect((await denied.json()).message).toMatch(/owner of "contoso"/);
    });

    it('streams a large log as JSON lines in chunks, reading the store a page at a time', async () => {
      const reader = await fixture.pat('vso.auditlog');
      const total = 2500;
      const entries: AuditEntry[] = Array.from({ length: total }, (_, i) => ({
        id: `2026-01-01T00:00:00.000Z.${String(i).padStart(6, '0')}.test00`,
        timestamp: '2026-01-01T00:00:00.000Z',
        organizationId: fixture.organization.id,
        action: 'admin.action',
        actorId: null,
        actorName: 'seed',
        via: 'cli',
        ipAddress: null,
        details: `entry ${i}`,
        data: { n: i },
      }));
      await store.audit.insertBatch(encodedAuditBatch(entries.map(encodeAuditEntry)));
      let pageReads = 0;
      const page = store.audit.page.bind(store.audit);
      store.audit.page = (query, limit) => {
        pageReads++;
        return page(query, limit);
      };
      const response = await chunkedGet(`${base}/contoso/_apis/audit/downloadlog?format=jsonl&api-version=7.1-preview.1`, reader);
      expect(response.status).toBe(200);
      expect(response.encoding).toBe('chunked');
      expect(response.chunks).toBeGreaterThan(1);
      const lines = response.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      // Every seeded entry plus the creation of the reader's own token, newest first.
      expect(lines).toHaveLength(total + 1);
      expect(lines.at(-1).data).toEqual({ n: 0 });
      expect(lines[1].data).toEqual({ n: total - 1 });
      // 2501 entries at 500 a page: six reads, the log never held whole.
      expect(pageReads).toBe(6);

      const array = await get('/contoso/_apis/audit/downloadlog?format=json&api-version=7.1-preview.1', reader);
      expect((await array.json()).length).toBe(total + 1);
      const csv = await get('/contoso/_apis/audit/downloadlog?format=csv&api-version=7.1-preview.1', reader);
      expect(csv.status).toBe(400);
    });

    it('sends X-Lapis-Policy-Warning on every call made with a token that breaks a warn-mode policy', async () => {
      const full = await fixture.pat('app_token');
      const narrow = await fixture.pat('vso.build');
      const path = '/contoso/_apis/connectionData';
      expect((await get(path, full)).headers.get('x-lapis-policy-warning')).toBeNull();
      await lapis.services.policies.set(fixture.organization, 'fullScope', { mode: 'warn' }, cli);
      for (let call = 0; call < 2; call++) {
        const warned = await get(path, full);
        expect(warned.status).toBe(200);
        expect(warned.headers.get('x-lapis-policy-warning')).toMatch(/contoso.*restricts full-access/);
      }
      expect((await get(path, narrow)).headers.get('x-lapis-policy-warning')).toBeNull();
      await lapis.services.policies.set(fixture.organization, 'fullScope', { mode: 'audit' }, cli);
      expect((await get(path, full)).headers.get('x-lapis-policy-warning')).toBeNull();
      await lapis.services.policies.set(fixture.organization, 'fullScope', { mode: 'enforce' }, cli);
      // Existing tokens keep working under enforce (and are still named), as on Azure DevOps.
      const enforced = await get(path, full);
      expect(enforced.status).toBe(200);
      expect(enforced.headers.get('x-lapis-policy-warning')).toMatch(/full-access/);
      const uses = (
        await lapis.services.audit.page({ organizationId: fixture.organization.id, actions: ['policy.violation'] }, 50)
      ).entries;
      expect(uses.map((u) => `${u.data.mode}/${u.data.during}`).sort()).toEqual(['audit/use', 'enforce/use', 'warn/use']);
      expect(uses.every((u) => u.ipAddress === '127.0.0.1')).toBe(true);
    });

    it('records a burst of failed authentications once per window', async () => {
      const bad = `${'a'.repeat(52)}`;
      for (let attempt = 0; attempt < 25; attempt++) await (await get('/contoso/_apis/connectionData', bad)).arrayBuffer();
      const bursts = (await lapis.services.audit.page({ actions: ['auth.failureBurst'] }, 10)).entries;
      expect(bursts).toHaveLength(1);
      expect(bursts[0]).toMatchObject({ ipAddress: '127.0.0.1', organizationId: null, data: { failures: 20, entry: 'api' } });
      expect(JSON.stringify(bursts)).not.toContain(bad);
    });
  });
}
