import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { encodeAuditEntry, encodedAuditBatch } from '../../src/domain/audit.js';
import type { KyselyStore } from '../../src/storage/kysely/store.js';
import type { Change } from '../../src/storage/ports.js';
import { openPostgresStore } from '../../src/storage/postgres/open.js';
import { numberedAuditEntry } from '../support/audit-entries.js';
import { backends, openSecondConnection } from '../support/backends.js';
import { type PrivatePostgres, privatePostgresAvailable, startPrivatePostgres } from '../support/private-postgres.js';
import { within } from '../support/request-loop.js';

const auditEntry = (n: number) => numberedAuditEntry(n, 'feed');

/** Everything a store's feed hears, in order. */
function hear(store: KyselyStore): Change[] {
  const heard: Change[] = [];
  store.changes.subscribe((change) => heard.push(change));
  return heard;
}

const heardTopic = (heard: Change[], topic: string, payload?: string) => async () =>
  heard.some((change) => change.topic === topic && (payload === undefined || change.payload === payload));

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`change feed between two processes' connections (${backend.name})`, () => {
    const others: KyselyStore[] = [];
    afterEach(async () => {
      for (const store of others.splice(0)) await store.close();
    });
    afterAll(() => backend.cleanup());

    if (backend.name === 'postgres') {
      it('delivers a published topic and payload to the other process, not back to the publisher', async () => {
        const listener = await backend.open();
        const publisher = openSecondConnection(listener);
        others.push(publisher);
        const heard = hear(listener);
        const own = hear(publisher);
        await listener.changes.listening();
        await publisher.changes.listening();
        await publisher.changes.publish('tokens', 'token-1');
        await within(5_000, 'the notice arrives', heardTopic(heard, 'tokens', 'token-1'));
        const notice = heard.find((change) => change.topic === 'tokens');
        expect(notice?.sentAt).toEqual(expect.any(Number));
        await listener.changes.publish('users', 'user-1');
        await within(5_000, 'the second notice arrives', heardTopic(own, 'users', 'user-1'));
        expect(own.filter((change) => change.topic === 'tokens')).toEqual([]);
      });

      it('sends a notice published in a transaction with its commit, and none on rollback', async () => {
        const listener = await backend.open();
        const publisher = openSecondConnection(listener);
        others.push(publisher);
        const heard = hear(listener);
        await listener.changes.listening();
        await expect(
          publisher.transaction(async (repositories) => {
            await repositories.changes.publish('memberships', 'rolled-back');
            throw new Error('abandon');
          }),
        ).rejects.toThrow('abandon');
        await publisher.transaction(async (repositories) => {
          await repositories.changes.publish('memberships', 'committed');
        });
        await within(5_000, 'the committed notice arrives', heardTopic(heard, 'memberships', 'committed'));
        // Notices from one session arrive in commit order, so the rolled-back one would have come first.
        expect(heard.map((change) => change.payload)).toEqual(['committed']);
      });
    } else {
      it("hears another connection's commit through data_version, as a change of everything", async () => {
        const listener = await backend.open();
        const writer = openSecondConnection(listener);
        others.push(writer);
        const heard = hear(listener);
        await listener.meta.setIfAbsent('own-write', 'written');
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(heard, "the process's own writes are announced in-process, not by the poll").toEqual([]);
        await writer.meta.setIfAbsent('other-write', 'written');
        await within(5_000, 'the other connection’s commit is heard', heardTopic(heard, 'all'));
      });

      it("does not hear the audit log's writer thread: audit batches drop no cache", async () => {
        const listener = await backend.open();
        const writer = openSecondConnection(listener);
        others.push(writer);
        const heard = hear(listener);
        for (let batch = 0; batch < 5; batch++) {
          await listener.audit.insertBatch(encodedAuditBatch([encodeAuditEntry(auditEntry(batch))]));
          await writer.audit.insertBatch(encodedAuditBatch([encodeAuditEntry(auditEntry(100 + batch))]));
        }
        expect(await listener.audit.page({}, 100)).toHaveLength(10);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(heard).toEqual([]);
        // The same wait hears a commit to the store's own file: the silence above is not a feed that stopped polling.
        await writer.meta.setIfAbsent('other-write', 'written');
        await within(5_000, 'the other connection’s commit is heard', heardTopic(heard, 'all'));
      });
    }
  });
}

describe.skipIf(!privatePostgresAvailable)('the listening connection across a PostgreSQL restart', () => {
  let cluster: PrivatePostgres | undefined;
  const stores: KyselyStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    await cluster?.destroy();
  });

  it('drops every cache when the connection is lost, listens again, and hears notices published after the restart', async () => {
    cluster = await startPrivatePostgres();
    const url = `${cluster.url}?schema=lapis`;
    const listener = openPostgresStore({ url });
    const publisher = openPostgresStore({ url });
    stores.push(listener, publisher);
    await listener.migrate();
    const heard = hear(listener);
    await listener.changes.listening();
    await publisher.changes.publish('tokens', 'before');
    await within(5_000, 'a notice before the restart', heardTopic(heard, 'tokens', 'before'));

    await cluster.restart();
    await within(10_000, 'the gap is announced', heardTopic(heard, 'all'));
    // Published until one arrives: the listener reconnects with growing waits, and a notice sent before it listens is lost.
    let round = 0;
    await within(15_000, 'a notice after the restart', async () => {
      await publisher.changes.publish('tokens', `after-${round++}`).catch(() => {});
      return heard.some((change) => change.payload.startsWith('after-'));
    });
  }, 60_000);
});
