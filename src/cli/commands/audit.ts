import type { Command } from 'commander';
import { type AuditEntry, type AuditQuery, auditActions, parseDuration } from '../../domain/audit.js';
import { DomainError } from '../../domain/errors.js';
import { withServices } from '../context.js';
import { ioOf } from '../io.js';
import { printJson, printRows } from '../output.js';

interface AuditOptions {
  org?: string;
  since?: string;
  action?: string;
  limit: string;
  json?: boolean;
  jsonl?: boolean;
}

function row(entry: AuditEntry) {
  return {
    time: entry.timestamp,
    action: entry.action,
    actor: entry.actorName,
    via: entry.via,
    address: entry.ipAddress,
    details: entry.details,
  };
}

/** `lapis audit`: the newest entries as a table or JSON, or the whole matching log as JSON lines, streamed. */
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'Show the audit log (newest first): token changes, policy violations, failed-authentication bursts, OAuth, admin actions.',
    )
    .option('--org <name>', "one organization's entries (default: every organization and the server-wide entries)")
    .option('--since <duration>', 'only entries newer than this: 30m, 12h, 7d')
    .option('--action <action>', `only this action (${auditActions.join(', ')})`)
    .option('--limit <n>', 'at most this many entries (table and --json)', '100')
    .option('--json', 'print the entries as a JSON array')
    .option('--jsonl', 'stream every matching entry as one JSON object per line (ignores --limit), for exports')
    .action(async (options: AuditOptions, command: Command) => {
      const limit = /^\d{1,6}$/.test(options.limit) ? Number(options.limit) : Number.NaN;
      if (!(limit >= 1))
        throw new DomainError('invalidInput', `--limit must be a whole number from 1 to 999999, not "${options.limit}".`);
      const sinceMs = options.since === undefined ? undefined : parseDuration(options.since);
      if (options.since !== undefined && sinceMs === undefined) {
        throw new DomainError(
          'invalidInput',
          `--since must be a number and a unit (m, h or d), like 1d, not "${options.since}".`,
        );
      }
      const action = options.action === undefined ? undefined : auditActions.find((a) => a === options.action);
      if (options.action !== undefined && !action) {
        throw new DomainError('invalidInput', `--action must be one of ${auditActions.join(', ')}, not "${options.action}".`);
      }
      const entries = await withServices(command, async (services) => {
        const query: AuditQuery = {
          organizationId: options.org === undefined ? undefined : (await services.organizations.get(options.org)).id,
          startTime: sinceMs === undefined ? undefined : new Date(services.context.clock.now().getTime() - sinceMs),
          actions: action ? [action] : undefined,
        };
        if (options.jsonl) {
          const { stdout } = ioOf(command);
          // One page in memory at a time, whatever the size of the log.
          for await (const entry of services.audit.entries(query)) stdout.write(`${JSON.stringify(entry)}\n`);
          return undefined;
        }
        return (await services.audit.page(query, limit)).entries;
      });
      if (!entries) return;
      if (options.json) printJson(command, entries);
      else printRows(command, entries.map(row), false, 'No audit entries.');
    });
}
