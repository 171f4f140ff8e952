import type { Command } from 'commander';
import { withServices } from '../context.js';
import { printLine, readStdin } from '../output.js';

/** `lapis user set-password NAME --password-stdin`: an operator's reset, which signs the user out everywhere. */
export function registerUserSetPassword(program: Command): void {
  const user = program.commands.find((command) => command.name() === 'user');
  if (!user) throw new Error('register the user command before user set-password');
  user
    .command('set-password <username>')
    .description("Set a user's password (at least 12 characters, not a common one); their web sessions end.")
    .requiredOption('--password-stdin', 'read the new password from standard input (never from the command line)')
    .action(async (username: string, _options: unknown, command: Command) => {
      const password = await readStdin(command);
      const changed = await withServices(command, (services) => services.users.setPassword(username, password));
      printLine(command, `Set the password of ${changed.username}; their web sessions have ended.`);
    });
}
