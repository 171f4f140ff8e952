import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface CurlAnswer {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

/** Runs the real curl binary (asynchronously: the server answers from this same process), headers included. */
export async function curl(args: string[]): Promise<CurlAnswer> {
  const { stdout } = await promisify(execFile)('curl', ['-sS', '-D', '-', ...args], { encoding: 'utf8', timeout: 20_000 });
  const cut = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, cut);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(statusLine)?.[1]), headers, body: stdout.slice(cut + 4) };
}
