import type { Command } from 'commander';
import type { Services } from '../../compose.js';
import { type TokenVerdict, tokenVerdicts } from '../../domain/explain.js';
import type { CredentialKind } from '../../domain/principal.js';
import { withServices } from '../context.js';
import { printJson, printLine } from '../output.js';

async function verdictsFor(
  services: Services,
  username: string,
  organizationName: string | undefined,
  target: {
    scopes: string[];
    accepts: readonly CredentialKind[] | null;
    label: string;
  },
): Promise<TokenVerdict[]> {
  const user = await services.users.get(username);
  const organization = organizationName ? await services.organizations.get(organizationName) : undefined;
  const memberOf = new Set((await services.organizations.listForUser(user.id)).map((o) => o.id));
  const tokens = await services.tokens.list(user);
  return tokenVerdicts(
    user,
    memberOf,
    tokens,
    {
      ...(organization && { organization }),
      scopes: target.scopes,
      ...(target.accepts && { accepts: target.accepts }),
      label: target.label,
    },
    services.context.clock.now(),
  );
}

export function registerExplain(program: Command): void {
  program
    .command('explain <method> <path>')
    .description(
      'Which route answers a request (location, versions, the scope it needs) and, with --user, which of that user’s tokens would pass.',
    )
    .option('--user <username>', "judge this user's tokens against the route")
    .option('--json', 'print JSON')
    .action(async (method: string, path: string, options: { user?: string; json?: boolean }, command: Command) => {
      // The registry is the HTTP layer's data: loaded here only, as `serve` loads the server, so other commands never do.
      // biome-ignore lint/style/noRestrictedImports: the one lazy load of the route registry (docs/architecture.md).
      const { explainRegisteredRoute } = await import('../../http/api/explain-registered.js');
      const explanation = explainRegisteredRoute(method, path);
      const declared = explanation.operation;
      const tokens =
        options.user && declared
          ? await withServices(command, (services) =>
              verdictsFor(services, options.user as string, explanation.routeValues.organization, {
                scopes: declared.scopes.map((scope) => scope.id),
                accepts: declared.accepts,
                label: `${explanation.method} ${explanation.area}/${explanation.resourceName}`,
              }),
            )
          : undefined;
      if (options.json) {
        printJson(command, { ...explanation, ...(tokens && { tokens }) });
        return;
      }
      const { versions } = explanation;
      printLine(command, `${explanation.method} ${explanation.path}`);
      printLine(command, `  route:    ${explanation.area}/${explanation.resourceName} (location ${explanation.locationId})`);
      printLine(command, `  template: ${explanation.routeTemplate}`);
      printLine(
        command,
        `  versions: ${versions.min} to ${versions.max}, released ${versions.released}, resource version ${versions.resourceVersion}`,
      );
      if (!declared) {
        printLine(command, `  method:   not served here (405); the route serves ${explanation.methods.join(', ')}`);
        return;
      }
      printLine(command, `  needs:    ${declared.scopes.map((scope) => `${scope.id} (${scope.title})`).join(' or ')}`);
      if (declared.accepts) printLine(command, `  accepts:  ${declared.accepts.join(', ')} only`);
      if (!tokens) return;
      if (tokens.length === 0) printLine(command, `  tokens:   ${options.user} has none`);
      for (const token of tokens) {
        const verdict = token.passes ? 'passes' : `refused (${token.reason}): ${token.message}`;
        printLine(command, `  token ${token.authorizationId} "${token.displayName}": ${verdict}`);
      }
    });
}
