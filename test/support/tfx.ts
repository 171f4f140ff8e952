import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tfxBin = fileURLToPath(new URL('../../node_modules/tfx-cli/_build/tfx-cli.js', import.meta.url));

export interface TfxResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A home directory of its own for tfx, whose login and option caches live under HOME; removed by `cleanup`. */
export function tfxHome(): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), 'lapis-tfx-'));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** Runs the real tfx-cli (asynchronously: the server answers from this same process). */
export function tfx(args: string[], home: string): Promise<TfxResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tfxBin, ...args, '--no-prompt', '--no-color'],
      { env: { PATH: process.env.PATH ?? '', HOME: home }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
