import type { Command } from 'commander';
import { recordSigningKeys } from '../../services/key-fingerprints.js';
import { withServices } from '../context.js';
import { printJson, printLine, printRows } from '../output.js';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Manage the keys that sign OAuth access tokens.');

  keys
    .command('list')
    .description('List the signing keys (never their private halves).')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const rows = await withServices(command, async (services) =>
        (await services.signingKeys.list()).map((key) => ({ ...key })),
      );
      printRows(command, rows, options.json, 'No keys.');
    });

  keys
    .command('rotate')
    .description(
      'Make a new active signing key. The previous key keeps verifying until its tokens have expired; running servers pick up the change within a second.',
    )
    .option('--drop-retired', 'drop every previous key at once (after a leak): their access tokens stop working')
    .option('--json', 'print JSON')
    .action(async (options: { dropRetired?: boolean; json?: boolean }, command: Command) => {
      const rotation = await withServices(command, async (services) => {
        const result = await services.signingKeys.rotate({ dropRetired: options.dropRetired ?? false });
        // Instances started later must hold the rotated key file; the database now names this one.
        const keyIds = (await services.signingKeys.list()).map((key) => key.kid);
        await recordSigningKeys(services.context.store.keyFingerprints, keyIds, services.context.clock);
        return result;
      });
      if (options.json) {
        printJson(command, rotation);
        return;
      }
      printLine(command, `Active key: ${rotation.active}`);
      if (rotation.retired.length > 0) printLine(command, `Retired (still verifying): ${rotation.retired.join(', ')}`);
      if (rotation.dropped.length > 0) printLine(command, `Dropped: ${rotation.dropped.join(', ')}`);
    });
}
