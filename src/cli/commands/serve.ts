import type { Command } from 'commander';
import { configFor } from '../context.js';
import { printLine } from '../output.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the HTTP server (applies migrations first).')
    .option('--port <n>', 'TCP port (LAPIS_PORT)')
    .option('--host <address>', 'address to bind (LAPIS_HOST)')
    .action(async (options: { port?: string; host?: string }, command: Command) => {
      const config = configFor(command, { port: options.port, host: options.host });
      // Loaded here, not at the top: every other command starts without the HTTP stack.
      const { serve } = await import('../../main.js');
      await serve(config, (line) => printLine(command, line));
    });
}
