import type { Command } from 'commander';
import { openStore } from '../../compose.js';
import { configFor } from '../context.js';
import { printLine } from '../output.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit.')
    .action(async (_options: unknown, command: Command) => {
      const store = openStore(configFor(command));
      try {
        const { applied } = await store.migrate();
        printLine(command, applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
      } finally {
        await store.close();
      }
    });
}
