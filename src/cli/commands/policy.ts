import type { Command } from 'commander';
import { DomainError } from '../../domain/errors.js';
import { parsePolicyMode, parsePolicyName, policyModes, policyNames } from '../../domain/org-policies.js';
import { withServices } from '../context.js';
import { cliOrigin } from '../origin.js';
import { printJson, printLine, printRows } from '../output.js';

interface SetOptions {
  org: string;
  mode: string;
  days?: string;
  allow?: string;
}

const policyHelp = 'max-lifespan, full-scope or global-tokens';

/** `lapis policy set|show|violations`: an organization's token policies, and the tokens that break them. */
export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description("Manage an organization's personal access token policies.");

  policy
    .command('set <policy>')
    .description(`Set a policy (${policyHelp}): its mode, the maximum lifespan, the users it does not apply to.`)
    .requiredOption('--org <name>', 'the organization')
    .requiredOption(
      '--mode <mode>',
      `${policyModes.join(', ')}: audit records violations, warn also tells the caller, enforce refuses new ones`,
    )
    .option('--days <n>', 'max-lifespan: the longest lifetime allowed, in days')
    .option('--allow <usernames>', 'comma-separated users the policy does not apply to ("" empties the list)')
    .action(async (name: string, options: SetOptions, command: Command) => {
      const which = parsePolicyName(name);
      if (!which) throw new DomainError('invalidInput', `The policy must be ${policyHelp}, not "${name}".`);
      const mode = parsePolicyMode(options.mode);
      if (!mode) throw new DomainError('invalidInput', `--mode must be one of ${policyModes.join(', ')}, not "${options.mode}".`);
      const days = options.days === undefined ? undefined : /^\d{1,6}$/.test(options.days) ? Number(options.days) : Number.NaN;
      if (days !== undefined && Number.isNaN(days))
        throw new DomainError('invalidInput', `--days must be a whole number, not "${options.days}".`);
      if (days !== undefined && which !== 'maxLifespan')
        throw new DomainError('invalidInput', '--days applies to max-lifespan only.');
      const saved = await withServices(command, async (services) =>
        services.policies.set(
          await services.organizations.get(options.org),
          which,
          { mode, maxDays: days, allow: options.allow === undefined ? undefined : options.allow.split(',') },
          cliOrigin(),
        ),
      );
      printLine(command, `Policy ${which} of ${options.org}: ${saved.mode}${saved.maxDays ? `, ${saved.maxDays} days` : ''}`);
    });

  policy
    .command('show')
    .description("Show an organization's policies; --violations lists the active tokens that break them (check before enforce).")
    .requiredOption('--org <name>', 'the organization')
    .option('--violations', 'list the tokens that break a policy instead')
    .option('--json', 'print JSON')
    .action(async (options: { org: string; violations?: boolean; json?: boolean }, command: Command) => {
      const rows = await withServices(command, async (services) => {
        const organization = await services.organizations.get(options.org);
        const names = new Map((await services.users.list()).map((u) => [u.id, u.username]));
        if (options.violations) {
          return (await services.policies.violatingTokens(organization)).map(({ token, owner, violations }) => ({
            authorizationId: token.id,
            owner: owner.username,
            name: token.displayName,
            validTo: token.validTo,
            policies: violations.map((v) => `${v.policy} (${v.mode})`).join(', '),
          }));
        }
        return (await services.policies.forOrganization(organization)).map((p) => ({
          policy: p.policy,
          mode: p.mode,
          maxDays: p.maxDays,
          allow: p.allowedUserIds.map((id) => names.get(id) ?? id).join(','),
        }));
      });
      if (options.json) printJson(command, rows);
      else
        printRows(
          command,
          rows,
          false,
          options.violations ? 'No token breaks a policy.' : `No policies (${policyNames.join(', ')}).`,
        );
    });
}
