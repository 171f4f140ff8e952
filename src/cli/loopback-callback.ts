import { createServer } from 'node:http';
import { DomainError } from '../domain/errors.js';

export interface CallbackResult {
  code: string;
}

const page = (message: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>Lapis</title><p>${message}</p></html>`;

/**
 * Listens on a loopback callback URL for one authorization answer carrying `state`, as a native app does
 * (RFC 8252 §7.3). Resolves with the code, rejects on an error answer or when `timeoutMs` passes.
 */
export function awaitAuthorizationCode(
  callback: URL,
  state: string,
  timeoutMs: number,
  onListening: () => void,
): Promise<CallbackResult> {
  return new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', callback);
      if (url.pathname !== callback.pathname || url.searchParams.get('state') !== state) {
        response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end(page('Not the callback this run waits for.'));
        return;
      }
      const code = url.searchParams.get('code');
      const error = url.searchParams.get('error');
      const message = code ? 'Authorized: the tokens are in your terminal. You can close this tab.' : 'Not authorized.';
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(page(message));
      finish(() =>
        code
          ? resolve({ code })
          : reject(new DomainError('invalidInput', `The authorization was refused: ${error ?? 'no code in the callback'}.`)),
      );
    });
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new DomainError(
              'invalidInput',
              `No answer on ${callback.href} within ${timeoutMs / 1000} s; nothing was authorized.`,
            ),
          ),
        ),
      timeoutMs,
    );
    function finish(settle: () => void): void {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
      settle();
    }
    server.once('error', (error: NodeJS.ErrnoException) =>
      finish(() => reject(new DomainError('invalidInput', `Cannot listen on ${callback.host}: ${error.code ?? error.message}.`))),
    );
    server.listen(Number(callback.port || 80), callback.hostname.replace(/^\[|\]$/g, ''), onListening);
  });
}
