import type { Command } from 'commander';
import { withServices } from '../context.js';
import { printRows } from '../output.js';

/** `lapis pat usage ID`: a token's usage trail as stored (a running server writes it every LAPIS_USAGE_FLUSH_MS). */
export function registerPatUsage(program: Command): void {
  const pat = program.commands.find((command) => command.name() === 'pat');
  if (!pat) throw new Error('registerPatUsage runs after registerPat.');
  pat
    .command('usage <authorizationId>')
    .description(
      'Show the distinct client addresses a token was used from, most recent first, with the user agent each sent last.',
    )
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const rows = await withServices(command, async (services) => {
        const token = await services.tokens.get(id);
        return (await services.tokenUsage.trailOf(token.id)).map((use) => ({
          clientAddress: use.clientAddress,
          userAgent: use.userAgent,
          firstUsed: use.firstUsedAt,
          lastUsed: use.lastUsedAt,
        }));
      });
      printRows(command, rows, options.json, 'No recorded use.');
    });
}
