import type { Command } from 'commander';
import { serve } from '../../main.js';
import { configFor } from '../context.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the HTTP server (applies migrations first).')
    .option('--port <n>', 'TCP port (LAPIS_PORT)')
    .option('--host <address>', 'address to bind (LAPIS_HOST)')
    .action(async (options: { port?: string; host?: string }, command: Command) => {
      const config = configFor(command, { port: options.port, host: options.host });
      await serve(config);
    });
}
