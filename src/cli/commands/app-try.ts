import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { DomainError } from '../../domain/errors.js';
import { configFor, withServices } from '../context.js';
import { ioOf } from '../io.js';
import { awaitAuthorizationCode } from '../loopback-callback.js';
import { printJson, printLine, readStdin } from '../output.js';

interface TryOptions {
  scope?: string;
  server?: string;
  timeout: string;
  json?: boolean;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number | string;
  scope?: string;
  error?: string;
  error_description?: string;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

function loopbackCallback(appId: string, callbackUrls: readonly string[]): URL {
  for (const text of callbackUrls) {
    const url = new URL(text);
    if (url.protocol === 'http:' && loopbackHosts.has(url.hostname) && url.port) return url;
  }
  throw new DomainError(
    'invalidInput',
    `App ${appId} has no loopback callback such as http://127.0.0.1:5000/callback to listen on; add one with: lapis app edit ${appId} --callback http://127.0.0.1:5000/callback`,
  );
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

async function exchange(server: string, secret: string, code: string, callback: URL): Promise<TokenAnswer> {
  const response = await fetch(`${server}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: secret,
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: code,
      redirect_uri: callback.href,
    }),
  });
  const answer = (await response.json()) as TokenAnswer;
  if (!response.ok || !answer.access_token) {
    throw new DomainError(
      'invalidInput',
      `The token endpoint refused the code: ${answer.error_description ?? answer.error ?? response.status}.`,
    );
  }
  return answer;
}

/** `lapis app try`: the client side of the authorization code flow, so an app can be tried before any code is written. */
export function registerAppTry(program: Command): void {
  const app = program.commands.find((command) => command.name() === 'app') ?? program;
  app
    .command('try <appId>')
    .description(
      'Try an app as its client would: listen on its loopback callback, print the authorize URL, wait for your consent in a browser, exchange the code and print the tokens (as export lines, or --json). Reads the client secret from standard input.',
    )
    .option('--scope <scopes>', 'scopes to ask for (default: every scope the app may ask for)')
    .option('--server <url>', 'Lapis as the browser reaches it (default: LAPIS_PUBLIC_URL, else http://LAPIS_HOST:LAPIS_PORT)')
    .option('--timeout <seconds>', 'how long to wait for the consent', '300')
    .option('--json', 'print the token endpoint answer as JSON')
    .action(async (appId: string, options: TryOptions, command: Command) => {
      const config = configFor(command);
      const timeoutSeconds = Number(options.timeout);
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1)
        throw new DomainError('invalidInput', '--timeout must be a whole number of seconds.');
      const registered = await withServices(command, (services) => services.oauthApps.get(appId));
      const callback = loopbackCallback(appId, registered.callbackUrls);
      const secret = (await readStdin(command, 'the client secret')).trim();
      const server = (options.server ?? (config.publicUrl || `http://${config.host}:${config.port}`)).replace(/\/+$/, '');
      const state = randomBytes(16).toString('base64url');
      const authorize = new URL(`${server}/oauth2/authorize`);
      authorize.search = new URLSearchParams({
        client_id: registered.id,
        response_type: 'Assertion',
        state,
        scope: options.scope ?? registered.scopes.join(' '),
        redirect_uri: callback.href,
      }).toString();
      const { code } = await awaitAuthorizationCode(callback, state, timeoutSeconds * 1000, () => {
        ioOf(command).stderr.write(`Open this URL in a browser, sign in and choose Accept:\n\n  ${authorize.href}\n\n`);
        ioOf(command).stderr.write(`Waiting up to ${timeoutSeconds} s for the answer on ${callback.href} ...\n`);
      });
      const answer = await exchange(server, secret, code, callback);
      if (options.json) {
        printJson(command, answer);
        return;
      }
      printLine(command, `export ACCESS_TOKEN=${shellQuote(answer.access_token ?? '')}`);
      printLine(command, `export REFRESH_TOKEN=${shellQuote(answer.refresh_token ?? '')}`);
      printLine(command, `# expires in ${answer.expires_in} s; scope: ${answer.scope ?? ''}`);
    });
}
