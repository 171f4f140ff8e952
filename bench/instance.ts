import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pinned, pinning } from './wrk.js';

const run = promisify(execFile);
const lapis = fileURLToPath(new URL('../bin/lapis', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Instance {
  child: ChildProcess;
  url: string;
  pat: string;
  dataDir: string;
}

/**
 * Lapis as deployed (`bin/lapis` from dist/, `npm run build` first), not the TypeScript loader: a data directory
 * prepared with the CLI (an admin, the demo seed, a PAT), then `lapis serve` pinned to the server core.
 */
export async function startInstance(): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lapis-bench-instance-'));
  const port = await freePort();
  const env = {
    ...process.env,
    LAPIS_DATA_DIR: dataDir,
    LAPIS_LOG_LEVEL: 'warn',
    LAPIS_PORT: String(port),
    LAPIS_HOST: '127.0.0.1',
  };
  const cli = (...args: string[]) => run(process.execPath, [lapis, ...args], { env });
  await cli('migrate');
  await cli('user', 'add', 'alice', '--admin');
  await cli('seed', 'demo', '--org', 'fabrikam');
  const { stdout } = await cli(
    'pat',
    'create',
    '--user',
    'alice',
    '--org',
    'fabrikam',
    '--name',
    'bench',
    '--scope',
    'vso.build',
    '--json',
  );
  const pat = (JSON.parse(stdout) as { token: string }).token;
  const [command, argv] = pinned(pinning.server, process.execPath, [lapis, 'serve']);
  const child = spawn(command, argv, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const up = await fetch(`${url}/_health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (attempt > 300 || child.exitCode !== null) throw new Error('lapis serve did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url, pat, dataDir };
}
