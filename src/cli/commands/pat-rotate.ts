import type { Command } from 'commander';
import { DomainError } from '../../domain/errors.js';
import { parseGraceDuration } from '../../domain/token-rotation.js';
import { withServices } from '../context.js';
import { ioOf } from '../io.js';
import { cliOrigin } from '../origin.js';
import { printJson, printLine } from '../output.js';

interface RotateOptions {
  grace: string;
  idempotencyKey?: string;
  json?: boolean;
}

/**
 * `lapis pat rotate ID --grace 1h`: the successor's text alone on stdout (as `pat create` prints a token), and on
 * stderr until when the old token keeps working, so `NEW=$(lapis pat rotate …)` captures only the token.
 */
export function registerPatRotate(program: Command): void {
  const pat = program.commands.find((command) => command.name() === 'pat');
  if (!pat) throw new Error('registerPatRotate runs after registerPat.');
  pat
    .command('rotate <authorizationId>')
    .description(
      'Replace a token by a successor with the same settings and print the successor once; the old token keeps working for the grace window, then stops.',
    )
    .requiredOption('--grace <duration>', 'how long the old token keeps working: 0, 90s, 30m, 1h, 2d (at most 7d)')
    .option('--idempotency-key <key>', 'a retry with the same key prints the same successor instead of minting another')
    .option('--json', 'print the successor and the grace window as JSON')
    .action(async (id: string, options: RotateOptions, command: Command) => {
      const graceSeconds = parseGraceDuration(options.grace);
      const result = await withServices(command, async (services) => {
        const token = await services.tokens.get(id);
        const user = await services.users.findById(token.userId);
        if (!user) throw new DomainError('userNotFound', `The owner of token ${id} no longer exists.`);
        return services.tokenRotations.rotate({
          token,
          user,
          graceSeconds,
          idempotencyKey: options.idempotencyKey,
          origin: cliOrigin(),
        });
      });
      if (options.json) {
        printJson(command, {
          authorizationId: result.successor.id,
          name: result.successor.displayName,
          validTo: result.successor.validTo,
          token: result.text,
          rotatedAuthorizationId: result.rotation.tokenId,
          graceEndsAt: result.rotation.graceEndsAt,
          replayed: result.replayed,
        });
        return;
      }
      if (result.text === null) {
        throw new DomainError(
          'tokenAlreadyRotated',
          `Token ${id} was rotated before to ${result.successor.id}; its text can no longer be shown.`,
        );
      }
      printLine(command, result.text);
      ioOf(command).stderr.write(
        `Token ${id} keeps working until ${result.rotation.graceEndsAt}; its successor is ${result.successor.id}.\n`,
      );
    });
}
