import type { Command } from 'commander';
import type { User } from '../../domain/entities.js';
import { recordCliAdminAction } from '../admin-audit.js';
import { withServices } from '../context.js';
import { ioOf } from '../io.js';
import { printJson, printLine, printRows, readStdin } from '../output.js';

function publicUser(user: User) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    admin: user.isAdmin,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt,
  };
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('Manage users.');

  user
    .command('add <username>')
    .description('Create a user.')
    .option('--display-name <name>', 'display name (default: the username)')
    .option('--email <address>', 'email address')
    .option('--admin', 'make the user an administrator')
    .option('--password-stdin', 'read the password from standard input (otherwise the user cannot sign in)')
    .option('--json', 'print the user as JSON')
    .action(async (username: string, options: Record<string, string | boolean | undefined>, command: Command) => {
      const password = options.passwordStdin ? await readStdin(command) : undefined;
      const created = await withServices(command, async (services) => {
        const added = await services.users.add({
          username,
          displayName: options.displayName as string | undefined,
          email: options.email as string | undefined,
          password,
          isAdmin: options.admin === true,
        });
        recordCliAdminAction(services, 'user.added', added.username);
        return added;
      });
      if (options.json) printJson(command, publicUser(created));
      else printLine(command, `Created user ${created.username} (${created.id})`);
      if (password === undefined) {
        ioOf(command).stderr.write(
          `${created.username} has no password and cannot sign in until given one: lapis user set-password ${created.username} --password-stdin\n`,
        );
      }
    });

  user
    .command('list')
    .description('List users.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const users = await withServices(command, (services) => services.users.list());
      printRows(command, users.map(publicUser), options.json, 'No users.');
    });

  user
    .command('disable <username>')
    .description('Disable a user: they cannot sign in and their tokens stop working at once.')
    .action(async (username: string, _options: unknown, command: Command) => {
      const disabled = await withServices(command, async (services) => {
        const user = await services.users.disable(username);
        recordCliAdminAction(services, 'user.disabled', user.username);
        return user;
      });
      printLine(command, `Disabled user ${disabled.username}`);
    });
}
