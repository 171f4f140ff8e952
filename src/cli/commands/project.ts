import type { Command } from 'commander';
import { withServices } from '../context.js';
import { printJson, printLine, printRows } from '../output.js';

export function registerProject(program: Command): void {
  const project = program.command('project').description('Manage projects.');

  project
    .command('add <org> <name>')
    .description('Create a project in an organization.')
    .option('--description <text>', 'description')
    .option('--visibility <private|public>', 'visibility', 'private')
    .option('--json', 'print the project as JSON')
    .action(
      async (
        org: string,
        name: string,
        options: { description?: string; visibility: string; json?: boolean },
        command: Command,
      ) => {
        const created = await withServices(command, async (services) => {
          const organization = await services.organizations.get(org);
          return services.projects.add(organization.id, {
            name,
            description: options.description,
            visibility: options.visibility,
          });
        });
        if (options.json) printJson(command, created);
        else printLine(command, `Created project ${created.name} (${created.id}) in ${org}`);
      },
    );

  project
    .command('list <org>')
    .description('List the projects of an organization.')
    .option('--json', 'print JSON')
    .action(async (org: string, options: { json?: boolean }, command: Command) => {
      const projects = await withServices(command, async (services) => {
        const organization = await services.organizations.get(org);
        return services.projects.listAll(organization.id);
      });
      printRows(
        command,
        projects.map((p) => ({ id: p.id, name: p.name, visibility: p.visibility, state: p.state, description: p.description })),
        options.json,
        'No projects.',
      );
    });
}
