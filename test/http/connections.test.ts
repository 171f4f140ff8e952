import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

const [sqlite] = backends();

/** A raw connection that records what the server sends and resolves `closed` when the server ends it. */
function rawConnection(port: number): {
  socket: Socket;
  received: () => string;
  connected: Promise<void>;
  closed: Promise<void>;
} {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});
  return {
    socket,
    received: () => Buffer.concat(chunks).toString('latin1'),
    connected: new Promise((resolve) => socket.once('connect', () => resolve())),
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
  };
}

function get(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Timeouts and the connection limit, through a listening server with small limits. */
describe('connection limits and timeouts on a listening server', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let port: number;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open(), {
      env: {
        LAPIS_MAX_CONNECTIONS: '3',
        LAPIS_HEADERS_TIMEOUT_MS: '2000',
        LAPIS_REQUEST_TIMEOUT_MS: '3000',
        LAPIS_KEEP_ALIVE_TIMEOUT_MS: '60000',
      },
    });
    await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    port = (lapis.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  it('cuts off a client that sends its body too slowly, with 408', async () => {
    const slow = rawConnection(port);
    await slow.connected;
    slow.socket.write(
      'POST /contoso/_apis/projects?api-version=7.1 HTTP/1.1\r\nHost: lapis\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
    );
    await slow.closed;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const slow = rawConnection(port);
    await slow.connected;
    slow.socket.write('GET /_health HTTP/1.1\r\nHost: lapis\r\n');
    await slow.closed;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses connections past the limit while a real client keeps being served', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, '/_health', agent)).toBe(200);
      const idle = [rawConnection(port), rawConnection(port)];
      await Promise.all(idle.map((connection) => connection.connected));
      const refused = rawConnection(port);
      await refused.closed;
      expect(refused.received()).toBe('');
      // The real client's kept-alive connection is one of the three: it is still served.
      expect(await get(port, '/_health', agent)).toBe(200);
      // The idle ones never send headers and are cut at the header timeout, which frees their places.
      await Promise.all(idle.map((connection) => connection.closed));
      const fresh = new Agent({ keepAlive: false });
      expect(await get(port, '/_health', fresh)).toBe(200);
      fresh.destroy();
    } finally {
      agent.destroy();
    }
  });
});
