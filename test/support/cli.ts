import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runLapis } from '../../src/cli/program.js';

export const lapisBin = fileURLToPath(new URL('../../bin/lapis', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it, synchronously, as text. */
class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs `lapis <args>` in this process, with its own environment, standard input and output. */
export async function lapis(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const stdin = Readable.from(input === undefined ? [] : [Buffer.from(input)]);
  const status = await runLapis(args, { stdout, stderr, stdin, env });
  return { status, stdout: stdout.text, stderr: stderr.text };
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

/** Runs the built `bin/lapis` with its standard output already closed by the reader, as `lapis … | head -0` would. */
export async function runCliIntoClosedPipe(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [lapisBin, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { status, stderr };
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
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
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
