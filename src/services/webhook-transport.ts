import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface WebhookResponse {
  status: number;
}

/** Sends one signed webhook body; rejects on network errors, timeouts and refused targets. */
export type WebhookTransport = (url: string, body: string, headers: Record<string, string>) => Promise<WebhookResponse>;

const privateRanges = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv6');
}

/** Whether an address is loopback, private, carrier-grade NAT, link-local or unique-local (IPv4-mapped too). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return privateRanges.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The address check runs on the address the socket will connect to (a lookup hook), not on the host name, so a
 * name that resolves to an internal address, or changes its answer after a first check, is refused too.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as LookupAddress[];
    const refused = list.find((entry) => isPrivateAddress(entry.address));
    if (refused) {
      return callback(
        Object.assign(new Error(`refused: ${hostname} resolves to a private address (${refused.address})`), {
          code: 'EWEBHOOKTARGET',
        }),
        '',
        0,
      );
    }
    if (options.all) return callback(null, list as unknown as string, 0);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    return callback(null, first.address, first.family);
  });
};

export function httpWebhookTransport(options: { allowPrivateTargets: boolean; timeoutMs: number }): WebhookTransport {
  return (url, body, headers) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const literal = target.hostname.replace(/^\[|\]$/g, '');
      if (!options.allowPrivateTargets && isIP(literal) !== 0 && isPrivateAddress(literal)) {
        reject(new Error(`refused: ${literal} is a private address`));
        return;
      }
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: options.timeoutMs,
          ...(!options.allowPrivateTargets && { lookup: publicOnlyLookup }),
        },
        (response) => {
          // The receiver's body is of no interest; reading it frees the socket.
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
}
