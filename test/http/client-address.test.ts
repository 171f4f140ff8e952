import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClientAddress } from '../../src/http/client-address.js';

describe('the client address behind trusted proxies, through a listening server', () => {
  // The peer and the hop before it are trusted proxies; every call of this function is one step of Fastify's walk along X-Forwarded-For.
  let walked = 0;
  const app = Fastify({
    trustProxy: (_address: string, hop: number) => {
      walked++;
      return hop < 2;
    },
  });
  registerClientAddress(app);
  app.get('/ip-read-three-times', async (request) => [request.ip, request.ip, request.ip]);
  app.get('/client-address-read-three-times', async (request) => [
    request.clientAddress,
    request.clientAddress,
    request.clientAddress,
  ]);
  let url: string;

  beforeAll(async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  async function walksFor(path: string): Promise<{ walks: number; addresses: string[] }> {
    walked = 0;
    const response = await fetch(url + path, { headers: { 'x-forwarded-for': '203.0.113.7, 198.51.100.2' } });
    return { walks: walked, addresses: (await response.json()) as string[] };
  }

  it('is the forwarded client, resolved once however often a request reads it', async () => {
    const direct = await walksFor('/ip-read-three-times');
    const memo = await walksFor('/client-address-read-three-times');
    expect(memo.addresses).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7']);
    expect(memo.addresses).toEqual(direct.addresses);
    expect(direct.walks).toBeGreaterThan(0);
    expect(memo.walks * 3).toBe(direct.walks);
  });

  it('is resolved again for each request: a memo never leaks into the next one on the same connection', async () => {
    const first = await fetch(`${url}/client-address-read-three-times`, { headers: { 'x-forwarded-for': '192.0.2.1' } });
    const second = await fetch(`${url}/client-address-read-three-times`, { headers: { 'x-forwarded-for': '192.0.2.2' } });
    expect(((await first.json()) as string[])[0]).toBe('192.0.2.1');
    expect(((await second.json()) as string[])[0]).toBe('192.0.2.2');
  });
});
