import type { Command } from 'commander';
import { DomainError } from '../domain/errors.js';
import { ioOf } from './io.js';

export function printLine(command: Command, text: string): void {
  ioOf(command).stdout.write(`${text}\n`);
}

export function printJson(command: Command, value: unknown): void {
  printLine(command, JSON.stringify(value, null, 2));
}

/** Prints rows as aligned columns for people, or as JSON for scripts. */
export function printRows(
  command: Command,
  rows: readonly Record<string, unknown>[],
  json: boolean | undefined,
  empty: string,
): void {
  if (json) {
    printJson(command, rows);
    return;
  }
  if (rows.length === 0) {
    printLine(command, empty);
    return;
  }
  const columns = Object.keys(rows[0] ?? {});
  const cell = (value: unknown) => (value === null || value === undefined ? '-' : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  printLine(command, [line(columns), ...rows.map((row) => line(columns.map((c) => cell(row[c]))))].join('\n'));
}

export async function readStdin(command: Command, what = 'the password'): Promise<string> {
  const { stdin } = ioOf(command);
  if (stdin.isTTY) throw new DomainError('invalidInput', `Expected ${what} on standard input.`);
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
