import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { underCi } from './ci.js';

const binaries = process.env.LAPIS_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * Whether a private PostgreSQL cluster can be started for restart tests. Without the binaries the tests skip
 * with a visible notice, except under CI, where that is a failure: the restart test is a release criterion.
 */
export const privatePostgresAvailable: boolean = (() => {
  const ok = existsSync(join(binaries, 'initdb')) && existsSync(join(binaries, 'pg_ctl'));
  if (!ok && underCi) {
    throw new Error(`The PostgreSQL server binaries are required under CI but ${binaries} has no initdb/pg_ctl`);
  }
  if (!ok) console.warn(`\n*** NOTICE: no initdb/pg_ctl in ${binaries}: PostgreSQL restart tests are SKIPPED ***\n`);
  return ok;
})();

/** A cluster of its own (the shared server is never restarted by a test), on loopback with trust authentication. */
export interface PrivatePostgres {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** initdb and postgres refuse to run as root; under root the cluster belongs to the `postgres` account. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: Number(process.env.LAPIS_TEST_PG_UID ?? 101), gid: Number(process.env.LAPIS_TEST_PG_GID ?? 104) };
}

function run(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // The postmaster pg_ctl leaves behind writes to its log file; waiting for 'exit' (not 'close') ignores it.
    const child = spawn(join(binaries, program), args, { stdio: ['ignore', 'ignore', 'pipe'], ...runAs() });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${program} ${args[0]} exited ${code}: ${stderr}`))));
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'lapis-pg-'));
  const owner = runAs();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const pgCtl = (...args: string[]) => run('pg_ctl', [...args, '-D', data, '-w', '-t', '30']);
  const start = () => pgCtl('start', '-l', join(dir, 'log'), '-o', options);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => pgCtl('restart', '-m', 'fast', '-o', options),
    stop: () => pgCtl('stop', '-m', 'fast'),
    start,
    async destroy() {
      await pgCtl('stop', '-m', 'immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
