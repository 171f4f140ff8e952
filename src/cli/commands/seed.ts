import type { Command } from 'commander';
import { withServices } from '../context.js';
import { printLine } from '../output.js';

export function registerSeed(program: Command): void {
  const seed = program.command('seed').description('Fill a store with sample data.');

  seed
    .command('demo')
    .description(
      'Create three projects with pipelines and six weeks of build history in an organization (created, owned by an admin, if missing). Does nothing when the demo projects exist.',
    )
    .option('--org <name>', 'organization to fill', 'default')
    .action(async (options: { org: string }, command: Command) => {
      const result = await withServices(command, (services) => services.demo.seed(options.org));
      if (result.alreadySeededBy) {
        printLine(
          command,
          `Organization ${result.organization} already has the demo data (project "${result.alreadySeededBy}"); nothing changed.`,
        );
        return;
      }
      printLine(
        command,
        `Seeded ${result.organization}: ${result.projects} projects, ${result.definitions} pipelines, ${result.builds} builds.`,
      );
    });
}
