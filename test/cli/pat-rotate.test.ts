import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lapis } from '../support/cli.js';
import { postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'lapis-rotate-'));

const stores = [
  { name: 'sqlite', available: true, env: (): Record<string, string> => ({ LAPIS_DATA_DIR: dataDir() }) },
  {
    name: 'postgres',
    available: postgresAvailable,
    env: (): Record<string, string> => ({
      LAPIS_DATA_DIR: dataDir(),
      LAPIS_DATABASE_URL: `${postgresUrl}?schema=${uniqueSchema()}`,
    }),
  },
];

for (const store of stores)
  describe.skipIf(!store.available)(`lapis pat rotate on ${store.name}`, () => {
    const setup = async () => {
      const env = store.env();
      expect((await lapis(['migrate'], env)).status).toBe(0);
      expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
      expect((await lapis(['org', 'add', 'contoso', '--owner', 'alice'], env)).status).toBe(0);
      const created = await lapis(
        ['pat', 'create', '--user', 'alice', '--org', 'contoso', '--name', 'ci', '--scope', 'vso.build', '--read-only', '--json'],
        env,
      );
      const { authorizationId, token } = JSON.parse(created.stdout) as { authorizationId: string; token: string };
      return { env, id: authorizationId, token };
    };

    const list = async (env: Record<string, string>) =>
      JSON.parse((await lapis(['pat', 'list', '--user', 'alice', '--json'], env)).stdout) as {
        authorizationId: string;
        name: string;
        status: string;
        validTo: string;
        restrictions: string;
      }[];

    it('prints the successor alone on stdout and says on stderr until when the old token works', async () => {
      const { env, id, token } = await setup();
      const before = Date.now();
      const rotated = await lapis(['pat', 'rotate', id, '--grace', '1h'], env);
      expect(rotated.status).toBe(0);
      const successor = rotated.stdout.trim();
      expect(rotated.stdout).toBe(`${successor}\n`);
      expect(successor).toMatch(/^.{76}AZDO.{4}$/);
      expect(successor).not.toBe(token);
      expect(rotated.stderr).toMatch(new RegExp(`^Token ${id} keeps working until \\S+Z; its successor is [0-9a-f-]{36}\\.\\n$`));

      const rows = await list(env);
      expect(rows).toHaveLength(2);
      const old = rows.find((row) => row.authorizationId === id);
      const next = rows.find((row) => row.authorizationId !== id);
      expect(old?.status).toBe('active');
      const graceEnd = Date.parse(old?.validTo ?? '');
      expect(graceEnd).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
      expect(graceEnd).toBeLessThanOrEqual(Date.now() + 3_600_000);
      expect(next).toMatchObject({ name: 'ci', status: 'active', restrictions: old?.restrictions });
      if (store.name === 'sqlite') {
        expect(readFileSync(join(env.LAPIS_DATA_DIR ?? '', 'lapis.db')).includes(Buffer.from(successor))).toBe(false);
      }

      const again = await lapis(['pat', 'rotate', id, '--grace', '1h'], env);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/^lapis: This token was rotated: its successor is [0-9a-f-]{36}/);
    });

    it('prints the same successor for a retry with the same idempotency key, as JSON', async () => {
      const { env, id } = await setup();
      const args = ['pat', 'rotate', id, '--grace', '30m', '--idempotency-key', 'deploy-42', '--json'];
      const first = JSON.parse((await lapis(args, env)).stdout);
      const retry = JSON.parse((await lapis(args, env)).stdout);
      expect(retry).toEqual({ ...first, replayed: true });
      expect(first).toMatchObject({
        rotatedAuthorizationId: id,
        name: 'ci',
        replayed: false,
        token: expect.stringMatching(/AZDO/),
      });
      const other = await lapis(['pat', 'rotate', id, '--grace', '2d', '--idempotency-key', 'deploy-42'], env);
      expect(other.status).toBe(1);
      expect(other.stderr).toMatch(/Idempotency-Key was used for a different rotation/);
    });

    it('with --grace 0 revokes the old token at once', async () => {
      const { env, id } = await setup();
      expect((await lapis(['pat', 'rotate', id, '--grace', '0'], env)).status).toBe(0);
      expect((await list(env)).find((row) => row.authorizationId === id)?.status).toBe('revoked');
    });

    it.each([
      ['8d', /must be between 0 and 7 days/],
      ['1w', /is not a grace window: write a number and a unit, such as 30m, 1h or 2d/],
      ['-1h', /is not a grace window/],
      ['soon', /is not a grace window/],
    ])('refuses --grace %s with one line', async (grace, message) => {
      const { env, id } = await setup();
      const result = await lapis(['pat', 'rotate', id, '--grace', grace], env);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(await list(env)).toHaveLength(1);
    });

    it('needs --grace', async () => {
      const { env, id } = await setup();
      const result = await lapis(['pat', 'rotate', id], env);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/--grace/);
    });
  });
