import type { Command } from 'commander';
import { recordCliAdminAction } from '../admin-audit.js';
import { withServices } from '../context.js';
import { printJson, printLine, printRows, readStdin } from '../output.js';

/** `lapis webhook`: an organization's webhooks, their delivery log and the leaked-token setting. */
export function registerWebhook(program: Command): void {
  const webhook = program.command('webhook').description("Manage an organization's webhooks (token expiring, revoked, leaked).");

  webhook
    .command('add')
    .description('Add a webhook; the signing secret is read from standard input.')
    .requiredOption('--org <name>', 'the organization')
    .requiredOption('--url <url>', 'where deliveries are POSTed')
    .option('--events <names>', 'comma-separated: token.expiring, token.revoked, token.leaked (default: all)')
    .option('--json', 'print the webhook as JSON')
    .action(async (options: { org: string; url: string; events?: string; json?: boolean }, command: Command) => {
      const secret = (await readStdin(command, 'the signing secret')).trim();
      const added = await withServices(command, async (services) => {
        const organization = await services.organizations.get(options.org);
        const webhook = await services.webhooks.add({
          organization,
          url: options.url,
          secret,
          events: options.events,
          createdBy: 'CLI',
        });
        recordCliAdminAction(services, 'webhook.added', organization.name, organization, {
          webhookId: webhook.id,
          url: webhook.url,
        });
        return webhook;
      });
      if (options.json) printJson(command, added);
      else printLine(command, `Added webhook ${added.id} for ${added.events.join(', ')} to ${added.url}`);
    });

  webhook
    .command('list')
    .description('List the webhooks of an organization.')
    .requiredOption('--org <name>', 'the organization')
    .option('--json', 'print JSON')
    .action(async (options: { org: string; json?: boolean }, command: Command) => {
      const webhooks = await withServices(command, async (services) =>
        services.webhooks.list(await services.organizations.get(options.org)),
      );
      printRows(
        command,
        webhooks.map((w) => ({ id: w.id, url: w.url, events: w.events.join(','), createdAt: w.createdAt })),
        options.json,
        'No webhooks.',
      );
    });

  webhook
    .command('remove <id>')
    .description('Remove a webhook and its delivery log.')
    .requiredOption('--org <name>', 'the organization')
    .action(async (id: string, options: { org: string }, command: Command) => {
      await withServices(command, async (services) => {
        const organization = await services.organizations.get(options.org);
        await services.webhooks.remove(organization, id);
        recordCliAdminAction(services, 'webhook.removed', organization.name, organization, { webhookId: id });
      });
      printLine(command, `Removed webhook ${id}`);
    });

  webhook
    .command('deliveries')
    .description('The newest deliveries of an organization: event, status, attempts, last answer.')
    .requiredOption('--org <name>', 'the organization')
    .option('--json', 'print JSON')
    .action(async (options: { org: string; json?: boolean }, command: Command) => {
      const deliveries = await withServices(command, async (services) =>
        services.webhooks.deliveries(await services.organizations.get(options.org)),
      );
      printRows(
        command,
        deliveries.map((d) => ({
          id: d.id,
          event: d.event,
          status: d.status,
          attempts: d.attempts,
          lastStatus: d.lastStatus ?? '',
          lastError: d.lastError ?? '',
          createdAt: d.createdAt,
        })),
        options.json,
        'No deliveries.',
      );
    });

  webhook
    .command('leaks <mode>')
    .description('What a leaked-token report does for the organization: "revoke" (the default) or "report" only.')
    .requiredOption('--org <name>', 'the organization')
    .action(async (mode: string, options: { org: string }, command: Command) => {
      if (mode !== 'revoke' && mode !== 'report') command.error('mode must be "revoke" or "report"', { exitCode: 2 });
      await withServices(command, async (services) => {
        const organization = await services.organizations.get(options.org);
        await services.leaks.setAutoRevoke(organization.id, mode === 'revoke');
      });
      printLine(command, `Leaked tokens of ${options.org}: ${mode === 'revoke' ? 'revoked and reported' : 'reported only'}`);
    });
}
