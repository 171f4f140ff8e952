import type { Command } from 'commander';
import type { User } from '../../domain/entities.js';
import { withServices } from '../context.js';
import { printJson, printRows, readStdin } from '../output.js';

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
      const password = options.passwordStdin ? await readStdin() : undefined;
      const created = await withServices(command, (services) =>
        services.users.add({
          username,
          displayName: options.displayName as string | undefined,
          email: options.email as string | undefined,
          password,
          isAdmin: options.admin === true,
        }),
      );
      if (options.json) printJson(publicUser(created));
      else console.log(`Created user ${created.username} (${created.id})`);
    });

  user
    .command('list')
    .description('List users.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const users = await withServices(command, (services) => services.users.list());
      printRows(users.map(publicUser), options.json, 'No users.');
    });

  user
    .command('disable <username>')
    .description('Disable a user: they cannot sign in and their tokens stop working at once.')
    .action(async (username: string, _options: unknown, command: Command) => {
      const disabled = await withServices(command, (services) => services.users.disable(username));
      console.log(`Disabled user ${disabled.username}`);
    });
}
