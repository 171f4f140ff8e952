import type { Command } from 'commander';
import { DomainError } from '../../domain/errors.js';
import type { OAuthApp } from '../../domain/oauth.js';
import { withServices } from '../context.js';
import { cliOrigin } from '../origin.js';
import { printJson, printLine, printRows } from '../output.js';

interface AddOptions {
  owner: string;
  name: string;
  callback: string[];
  scope: string;
  company?: string;
  website?: string;
  description?: string;
  public?: boolean;
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
    public: app.isPublic,
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
    .option('--public', 'a public client (native or browser app): it proves itself with PKCE and gets no secret')
    .option('--json', 'print JSON')
    .action(async (options: AddOptions, command: Command) => {
      const registered = await withServices(command, async (services) => {
        const input = {
          owner: await services.users.get(options.owner),
          name: options.name,
          company: options.company,
          website: options.website,
          description: options.description,
          callbackUrls: options.callback,
          scope: options.scope,
        };
        return options.public ? { app: await services.oauthApps.registerPublic(input) } : services.oauthApps.register(input);
      });
      if ('secret' in registered) printSecret(command, registered.app.id, registered.secret, options.json);
      else if (options.json) printJson(command, { appId: registered.app.id, public: true });
      else printLine(command, `App ID: ${registered.app.id}\n(a public client: no secret; it must use PKCE)`);
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
    .command('edit <appId>')
    .description(
      'Change the callback URLs or scopes of an app. Authorizations holding a scope the app may no longer ask for are revoked.',
    )
    .option('--callback <url>', 'exact callback URL; repeat for more; replaces all of them', collect)
    .option('--scope <scopes>', 'space-separated scopes the app may ask for; replaces them')
    .option('--json', 'print JSON')
    .action(async (appId: string, options: { callback?: string[]; scope?: string; json?: boolean }, command: Command) => {
      if (!options.callback && options.scope === undefined) {
        throw new DomainError('invalidInput', 'Nothing to change: give --callback and/or --scope.');
      }
      const edited = await withServices(command, async (services) =>
        services.oauthApps.edit(await services.oauthApps.get(appId), { callbackUrls: options.callback, scope: options.scope }),
      );
      if (options.json) {
        printJson(command, {
          appId,
          callbacks: edited.app.callbackUrls,
          scopes: edited.app.scopes,
          revokedGrants: edited.revokedGrants,
        });
        return;
      }
      printLine(command, `Callbacks: ${edited.app.callbackUrls.join(' ')}`);
      printLine(command, `Scopes:    ${edited.app.scopes.join(' ')}`);
      if (edited.revokedGrants > 0)
        printLine(command, `Revoked ${edited.revokedGrants} authorization(s) that held a removed scope.`);
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
        services.oauthGrants.revokeForApp(
          await services.users.get(options.user),
          await services.oauthApps.get(options.app),
          cliOrigin(),
        ),
      );
      printLine(command, `Revoked ${revoked} authorization${revoked === 1 ? '' : 's'} of app ${options.app} by ${options.user}`);
    });
}
