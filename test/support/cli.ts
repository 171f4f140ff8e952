import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const lapisBin = fileURLToPath(new URL('../../bin/lapis', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `bin/lapis` (npm test builds dist/ first) with its own environment. */
export function runCli(args: string[], env: Record<string, string>, input?: string): CliResult {
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, [lapisBin, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServerProcess {
  url: string;
  output(): string;
  /** Whether the process is still running (a crash shows here even when nobody asked it to stop). */
  alive(): boolean;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `lapis serve` on a free port and waits until it listens. With `terminal`, it runs under
 * util-linux `script`, so its standard output is a pseudo-terminal as when a person starts it.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { terminal?: boolean } = {},
): Promise<ServerProcess> {
  const serveArgs = [lapisBin, 'serve', '--port', '0'];
  const [command, args] = options.terminal
    ? ['script', ['--quiet', '--return', '--command', [process.execPath, ...serveArgs].join(' '), '/dev/null']]
    : [process.execPath, serveArgs];
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', LAPIS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const check = () => {
      const match = /Lapis listening on (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    alive: () => running,
    stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}
