import type { Command } from 'commander';
import { configFor } from '../context.js';
import { printLine } from '../output.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit.')
    .action(async (_options: unknown, command: Command) => {
      const config = configFor(command);
      const { openStore } = await import('../../compose.js');
      const store = openStore(config);
      try {
        const { applied } = await store.migrate();
        printLine(command, applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
      } finally {
        await store.close();
      }
    });
}
