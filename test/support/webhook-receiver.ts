import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown> & { event: string };
}

/** A loopback HTTP server that records each webhook and answers with the status tests choose. */
export async function webhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const statuses: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body, json: JSON.parse(body) });
      response.statusCode = statuses.shift() ?? 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Answers the next requests with these statuses, then 204. */
    answer(...next: number[]) {
      statuses.push(...next);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Checks `X-Lapis-Signature-256` the way a receiver should: HMAC-SHA256 over "timestamp.body", constant time. */
export function signatureValid(hook: ReceivedWebhook, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(`${hook.headers['x-lapis-timestamp']}.${hook.body}`).digest();
  const given = Buffer.from(String(hook.headers['x-lapis-signature-256'] ?? '').replace(/^sha256=/, ''), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
