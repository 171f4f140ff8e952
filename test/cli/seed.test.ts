import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite/open.js';
import { lapis } from '../support/cli.js';

describe('lapis seed demo', () => {
  it('creates the organization for an admin, fills it with history once, and refuses to do it twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lapis-seed-'));
    const env = { LAPIS_DATA_DIR: dataDir };
    expect((await lapis(['migrate'], env)).status).toBe(0);
    expect((await lapis(['user', 'add', 'root', '--admin'], env)).status).toBe(0);
    const empty = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-seed-')) };
    expect((await lapis(['migrate'], empty)).status).toBe(0);
    expect((await lapis(['seed', 'demo', '--org', 'nowhere-yet'], empty)).stderr).toMatch(/no admin user to own it/);
    const seeded = await lapis(['seed', 'demo', '--org', 'contoso'], env);
    expect(seeded.status, seeded.stderr).toBe(0);
    expect(seeded.stdout).toMatch(/^Seeded contoso: 3 projects, 5 pipelines, \d+ builds\.\n$/);
    const again = await lapis(['seed', 'demo', '--org', 'contoso'], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/already has the demo data \(project "Fabrikam Web"\); nothing changed/);

    const store = openSqliteStore(join(dataDir, 'lapis.db'));
    try {
      const organization = await store.organizations.findByName('contoso');
      const builds = await store.builds.list({
        organizationId: organization?.id ?? '',
        query: { deleted: 'excludeDeleted', order: 'queueTimeAscending', timeField: 'queueTime', descending: false, top: 5000 },
        limit: 5000,
      });
      expect(builds.length).toBeGreaterThan(200);
      const span = Date.parse(builds.at(-1)?.queueTime ?? '') - Date.parse(builds[0]?.queueTime ?? '');
      expect(span).toBeGreaterThan(30 * 86_400_000);
      expect(new Set(builds.map((b) => b.status))).toEqual(new Set(['completed', 'notStarted']));
      expect(new Set(builds.map((b) => b.result)).size).toBeGreaterThanOrEqual(4);
      expect(new Set(builds.map((b) => b.reason))).toEqual(new Set(['individualCI', 'pullRequest', 'manual', 'schedule']));
    } finally {
      await store.close();
    }
  });
});
