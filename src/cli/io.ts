import type { Command } from 'commander';

/** What a command reads and writes: the process's own streams, or a test's. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

const ioOfProgram = new WeakMap<Command, CliIo>();

export function attachIo(program: Command, io: CliIo): void {
  ioOfProgram.set(program, io);
}

/** The streams of the program a (sub)command belongs to. */
export function ioOf(command: Command): CliIo {
  let root = command;
  while (root.parent) root = root.parent;
  const io = ioOfProgram.get(root);
  if (!io) throw new Error('command is not part of a program built by buildProgram');
  return io;
}
