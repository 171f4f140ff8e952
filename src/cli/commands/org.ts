import type { Command } from 'commander';
import { recordCliAdminAction } from '../admin-audit.js';
import { withServices } from '../context.js';
import { printJson, printLine, printRows } from '../output.js';

export function registerOrg(program: Command): void {
  const org = program.command('org').description('Manage organizations and their members.');

  org
    .command('add <name>')
    .description('Create an organization; the owner becomes its first member.')
    .requiredOption('--owner <username>', 'the owning user')
    .option('--json', 'print the organization as JSON')
    .action(async (name: string, options: { owner: string; json?: boolean }, command: Command) => {
      const created = await withServices(command, async (services) => {
        const added = await services.organizations.add(name, options.owner);
        recordCliAdminAction(services, 'organization.added', added.name, added);
        return added;
      });
      if (options.json) printJson(command, created);
      else printLine(command, `Created organization ${created.name} (${created.id})`);
    });

  org
    .command('list')
    .description('List organizations.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const rows = await withServices(command, async (services) => {
        const organizations = await services.organizations.list();
        const owners = new Map((await services.users.list()).map((u) => [u.id, u.username]));
        return organizations.map((o) => ({
          id: o.id,
          name: o.name,
          owner: owners.get(o.ownerId) ?? o.ownerId,
          createdAt: o.createdAt,
        }));
      });
      printRows(command, rows, options.json, 'No organizations.');
    });

  const member = org.command('member').description('Manage the members of an organization.');

  member
    .command('add <org> <username>')
    .description('Add a user to an organization.')
    .action(async (name: string, username: string, _options: unknown, command: Command) => {
      await withServices(command, async (services) => {
        await services.organizations.addMember(name, username);
        recordCliAdminAction(services, 'organization.memberAdded', name, await services.organizations.get(name), {
          member: username,
        });
      });
      printLine(command, `Added ${username} to ${name}`);
    });

  member
    .command('remove <org> <username>')
    .description('Remove a user from an organization; their tokens for it stop working at once.')
    .action(async (name: string, username: string, _options: unknown, command: Command) => {
      await withServices(command, async (services) => {
        await services.organizations.removeMember(name, username);
        recordCliAdminAction(services, 'organization.memberRemoved', name, await services.organizations.get(name), {
          member: username,
        });
      });
      printLine(command, `Removed ${username} from ${name}`);
    });

  member
    .command('list <org>')
    .description('List the members of an organization.')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const members = await withServices(command, (services) => services.organizations.members(name));
      printRows(
        command,
        members.map((m) => ({ username: m.user.username, displayName: m.user.displayName, addedAt: m.addedAt })),
        options.json,
        'No members.',
      );
    });
}
