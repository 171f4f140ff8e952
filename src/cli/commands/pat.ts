import type { Command } from 'commander';
import type { Services } from '../../compose.js';
import type { Config } from '../../config/schema.js';
import type { PersonalAccessToken } from '../../domain/entities.js';
import { DomainError } from '../../domain/errors.js';
import { describeRestrictions } from '../../domain/token-restrictions.js';
import { tokenStatus } from '../../services/tokens.js';
import { withServices } from '../context.js';
import { cliOrigin } from '../origin.js';
import { printJson, printLine, printRows, readStdin } from '../output.js';

interface CreateOptions {
  user: string;
  org?: string;
  allOrgs?: boolean;
  name: string;
  scope: string;
  days?: string;
  expires?: string;
  json?: boolean;
  project?: string[];
  allowIp?: string[];
  readOnly?: boolean;
  rateLimit?: string;
}

interface RevokeOptions {
  user?: string;
  all?: boolean;
  org?: string;
}

async function projectNames(services: Services): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const organization of await services.organizations.list()) {
    for (const project of await services.projects.listAll(organization.id)) names.set(project.id, project.name);
  }
  return names;
}

function describeToken(
  token: PersonalAccessToken,
  organizations: Map<string, string>,
  now: Date,
  projects = new Map<string, string>(),
) {
  return {
    authorizationId: token.id,
    name: token.displayName,
    status: tokenStatus(token, now),
    organization:
      token.organizationId === null
        ? 'All accessible organizations'
        : (organizations.get(token.organizationId) ?? token.organizationId),
    scope: token.scopes.join(' '),
    validFrom: token.validFrom,
    validTo: token.validTo,
    lastUsed: token.lastUsedAt,
    restrictions: describeRestrictions(token.restrictions, (id) => projects.get(id) ?? id).join('; '),
  };
}

/** Every refused --days names the flag and the range the policy allows, whatever is wrong with the value. */
function parseDays(value: string | undefined, config: Config): number | undefined {
  if (value === undefined) return undefined;
  const days = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 1 && days <= config.patMaxLifetimeDays)) {
    throw new DomainError(
      'invalidInput',
      `--days must be a whole number from 1 to ${config.patMaxLifetimeDays}, not "${value}".`,
    );
  }
  return days;
}

async function organizationNames(services: Services): Promise<Map<string, string>> {
  return new Map((await services.organizations.list()).map((o) => [o.id, o.name]));
}

function parseExpiry(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new DomainError('invalidInput', `--expires must be an ISO-8601 date, not "${value}".`);
  return date;
}

async function newTokenInput(services: Services, config: Config, options: CreateOptions) {
  if (Boolean(options.org) === Boolean(options.allOrgs)) {
    throw new DomainError('invalidInput', 'Give exactly one of --org <name> or --all-orgs.');
  }
  const user = await services.users.get(options.user);
  const organization = options.org ? await services.organizations.get(options.org) : undefined;
  return {
    user,
    displayName: options.name,
    scope: options.scope,
    organizationId: organization?.id ?? null,
    days: parseDays(options.days, config),
    validTo: parseExpiry(options.expires),
    restrictions: {
      projects: options.project,
      allowedAddresses: options.allowIp,
      readOnly: options.readOnly === true,
      rateLimit: options.rateLimit,
    },
    origin: cliOrigin(),
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function tokenOptions(command: Command): Command {
  return command
    .requiredOption('--user <username>', 'owner of the token')
    .option('--org <name>', 'the one organization the token works in')
    .option('--all-orgs', 'a global token: every organization the user belongs to')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--scope <scopes>', 'space-separated scopes, e.g. "vso.build vso.project" or "app_token" for full access')
    .option('--days <n>', 'lifetime in days, 1 to LAPIS_PAT_MAX_LIFETIME_DAYS (default: LAPIS_PAT_DEFAULT_LIFETIME_DAYS)')
    .option('--expires <iso-date>', 'explicit end of validity instead of --days')
    .option('--project <name>', 'restrict the token to this project of --org (repeatable)', collect)
    .option('--allow-ip <cidr>', 'accept the token only from this IPv4/IPv6 address or CIDR range (repeatable)', collect)
    .option('--read-only', 'accept the token only for GET, HEAD and OPTIONS')
    .option('--rate-limit <count/window>', 'at most this many requests per window, e.g. 60/min, 10/s, 1000/h');
}

export function registerPat(program: Command): void {
  const pat = program.command('pat').description('Manage personal access tokens.');

  tokenOptions(pat.command('create'))
    .description('Create a token and print it once (it is never shown again).')
    .option('--json', 'print the record as JSON, as `pat list --json` shows it, plus the token')
    .action(async (options: CreateOptions, command: Command) => {
      const created = await withServices(command, async (services, config) => {
        const { token, text } = await services.tokens.create(await newTokenInput(services, config, options));
        const record = describeToken(
          token,
          await organizationNames(services),
          services.context.clock.now(),
          await projectNames(services),
        );
        return { record, text };
      });
      if (options.json) printJson(command, { ...created.record, token: created.text });
      else printLine(command, created.text);
    });

  tokenOptions(pat.command('import'))
    .description('Register an existing token (e.g. a 52-character legacy Azure DevOps token) read from standard input.')
    .action(async (options: CreateOptions, command: Command) => {
      const text = await readStdin(command, 'the token');
      const created = await withServices(command, async (services, config) =>
        services.tokens.import(await newTokenInput(services, config, options), text),
      );
      printLine(command, `Imported token ${created.token.id}`);
    });

  pat
    .command('list')
    .description("List a user's tokens (never their secrets).")
    .requiredOption('--user <username>', 'owner')
    .option('--json', 'print JSON')
    .action(async (options: { user: string; json?: boolean }, command: Command) => {
      const rows = await withServices(command, async (services) => {
        const user = await services.users.get(options.user);
        const organizations = await organizationNames(services);
        const now = services.context.clock.now();
        const projects = await projectNames(services);
        return (await services.tokens.list(user)).map((t) => describeToken(t, organizations, now, projects));
      });
      printRows(command, rows, options.json, 'No tokens.');
    });

  pat
    .command('revoke [authorizationId]')
    .description('Revoke a token at once, or with --user and --all every token of a user (those working in --org).')
    .option('--user <username>', 'with --all: whose tokens')
    .option('--all', "revoke all of the user's tokens that are not yet revoked")
    .option('--org <name>', 'with --all: only the tokens that work in this organization (the user must be a member)')
    .action(async (id: string | undefined, options: RevokeOptions, command: Command) => {
      if (id !== undefined) {
        if (options.user || options.all || options.org) {
          throw new DomainError('invalidInput', 'Give an authorization id, or --user and --all, not both.');
        }
        await withServices(command, async (services) => services.tokens.revoke(await services.tokens.get(id), cliOrigin()));
        printLine(command, `Revoked token ${id}`);
        return;
      }
      if (!options.user || !options.all) {
        throw new DomainError('invalidInput', 'Give an authorization id, or --user <username> --all [--org <name>].');
      }
      const revoked = await withServices(command, async (services) => {
        const user = await services.users.get(options.user ?? '');
        const organization = options.org ? await services.organizations.get(options.org) : undefined;
        return services.organizationTokens.revokeAllOf(user, organization, cliOrigin());
      });
      const where = options.org ? ` working in ${options.org}` : '';
      printLine(command, `Revoked ${revoked.length} token${revoked.length === 1 ? '' : 's'} of ${options.user}${where}`);
    });

  pat
    .command('revoke-rule')
    .description(
      'Revoke by rule: every token of the organization (and every all-organization token of its members) holding one of the scopes and created before the time stops working.',
    )
    .requiredOption('--org <name>', 'the organization')
    .requiredOption('--scopes <scopes>', 'space-separated scopes, e.g. "vso.build vso.code"')
    .requiredOption('--created-before <iso-date>', 'tokens created before this time are stopped')
    .action(async (options: { org: string; scopes: string; createdBefore: string }, command: Command) => {
      const rule = await withServices(command, async (services) =>
        services.revocationRules.add(
          await services.organizations.get(options.org),
          options.scopes,
          options.createdBefore,
          cliOrigin(),
        ),
      );
      printLine(command, `Added revocation rule ${rule.id}: ${rule.scopes.join(' ')} created before ${rule.createdBefore}`);
    });
}
