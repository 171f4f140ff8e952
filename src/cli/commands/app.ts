import type { Command } from 'commander';
import type { OAuthApp } from '../../domain/oauth.js';
import { withServices } from '../context.js';
import { printJson, printLine, printRows } from '../output.js';

interface AddOptions {
  owner: string;
  name: string;
  callback: string[];
  scope: string;
  company?: string;
  website?: string;
  description?: string;
  json?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function describeApp(app: OAuthApp, owners: Map<string, string>) {
  return {
    appId: app.id,
    name: app.name,
    owner: owners.get(app.ownerId) ?? app.ownerId,
    company: app.company,
    website: app.website,
    callbacks: app.callbackUrls.join(' '),
    scope: app.scopes.join(' '),
    secretCreated: app.secretCreatedAt,
    created: app.createdAt,
  };
}

function printSecret(command: Command, appId: string, secret: string, json: boolean | undefined): void {
  if (json) printJson(command, { appId, clientSecret: secret });
  else printLine(command, `App ID:        ${appId}\nClient secret: ${secret}\n(the secret is shown only now)`);
}

export function registerApp(program: Command): void {
  const app = program.command('app').description('Manage OAuth applications and the authorizations users gave them.');

  app
    .command('add')
    .description('Register an app and print its App ID and client secret (the secret is shown only now).')
    .requiredOption('--owner <username>', 'user who owns the registration')
    .requiredOption('--name <name>', 'app name shown on the consent page')
    .requiredOption('--callback <url>', 'exact callback URL (https, or http on localhost); repeat for more', collect)
    .requiredOption('--scope <scopes>', 'space-separated scopes the app may ask for, e.g. "vso.build vso.project"')
    .option('--company <name>', 'company name')
    .option('--website <url>', 'app website')
    .option('--description <text>', 'what the app does')
    .option('--json', 'print JSON')
    .action(async (options: AddOptions, command: Command) => {
      const registered = await withServices(command, async (services) =>
        services.oauthApps.register({
          owner: await services.users.get(options.owner),
          name: options.name,
          company: options.company,
          website: options.website,
          description: options.description,
          callbackUrls: options.callback,
          scope: options.scope,
        }),
      );
      printSecret(command, registered.app.id, registered.secret, options.json);
    });

  app
    .command('list')
    .description('List registered apps (never their secrets).')
    .option('--owner <username>', 'only the apps of this user')
    .option('--json', 'print JSON')
    .action(async (options: { owner?: string; json?: boolean }, command: Command) => {
      const rows = await withServices(command, async (services) => {
        const owner = options.owner === undefined ? undefined : await services.users.get(options.owner);
        const owners = new Map((await services.users.list()).map((user) => [user.id, user.username]));
        return (await services.oauthApps.list(owner)).map((registered) => describeApp(registered, owners));
      });
      printRows(command, rows, options.json, 'No apps.');
    });

  app
    .command('remove <appId>')
    .description('Delete an app with every authorization, code and token issued to it.')
    .action(async (appId: string, _options: unknown, command: Command) => {
      await withServices(command, async (services) => services.oauthApps.remove(await services.oauthApps.get(appId)));
      printLine(command, `Removed app ${appId}`);
    });

  app
    .command('rotate-secret <appId>')
    .description('Give an app a new client secret; the old one stops working at once.')
    .option('--json', 'print JSON')
    .action(async (appId: string, options: { json?: boolean }, command: Command) => {
      const rotated = await withServices(command, async (services) =>
        services.oauthApps.rotateSecret(await services.oauthApps.get(appId)),
      );
      printSecret(command, rotated.app.id, rotated.secret, options.json);
    });

  app
    .command('revoke-grant')
    .description("Revoke a user's authorizations of an app: its refresh and access tokens stop working.")
    .requiredOption('--user <username>', 'user who authorized the app')
    .requiredOption('--app <appId>', 'the App ID')
    .action(async (options: { user: string; app: string }, command: Command) => {
      const revoked = await withServices(command, async (services) =>
        services.oauthGrants.revokeForApp(await services.users.get(options.user), await services.oauthApps.get(options.app)),
      );
      printLine(command, `Revoked ${revoked} authorization${revoked === 1 ? '' : 's'} of app ${options.app} by ${options.user}`);
    });
}
