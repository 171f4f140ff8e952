import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { DomainError } from '../domain/errors.js';
import type { AddressAllowList } from '../domain/token-restrictions.js';

const mappedPrefix = '::ffff:';

/** `::ffff:192.0.2.1` is how a dual-stack socket reports an IPv4 client: judge it as the IPv4 address it is. */
function unmapped(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith(mappedPrefix) && isIPv4(lower.slice(mappedPrefix.length))) return lower.slice(mappedPrefix.length);
  return lower;
}

function invalid(text: string): DomainError {
  return new DomainError(
    'invalidInput',
    `"${text.slice(0, 60)}" is not an address range: give an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24 or 2001:db8::/32.`,
  );
}

/** Reads `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32` or `::ffff:203.0.113.0/120` into one canonical form. */
export function canonicalRange(text: string): string {
  const trimmed = text.trim();
  const [address = '', prefixText, extra] = trimmed.split('/');
  if (extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) throw invalid(text);
  const lower = address.toLowerCase();
  if (isIPv4(lower)) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (prefix > 32) throw invalid(text);
    return `${lower}/${prefix}`;
  }
  if (!isIPv6(lower)) throw invalid(text);
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  if (prefix > 128) throw invalid(text);
  const v4 = unmapped(lower);
  // An IPv4-mapped range is stored as the IPv4 range it covers, so both spellings of a client match it.
  if (v4 !== lower && prefix >= 96) return `${v4}/${prefix - 96}`;
  return `${lower}/${prefix}`;
}

/**
 * How many client addresses each token's allow-list remembers its answer for. A restricted token is used from a few
 * machines; the bound keeps a token sprayed from many addresses (each still judged correctly) from growing memory.
 */
export const rememberedAddresses = 16;

/**
 * The allow-list of canonical ranges, as node:net's BlockList (built once per token, then only checked). Checking
 * builds a native SocketAddress each time, the most costly part of a restricted request, so answers are remembered
 * per client address as it arrives (the first remembered goes first when the memo is full).
 */
export function addressAllowList(ranges: readonly string[]): AddressAllowList {
  const list = new BlockList();
  for (const range of ranges) {
    const [network = '', prefix = ''] = range.split('/');
    list.addSubnet(network, Number(prefix), isIPv4(network) ? 'ipv4' : 'ipv6');
  }
  const check = (address: string): boolean => {
    const client = unmapped(address);
    if (isIPv4(client)) return list.check(client, 'ipv4');
    return isIPv6(client) && list.check(client, 'ipv6');
  };
  const answers = new Map<string, boolean>();
  return {
    ranges,
    allows(address) {
      const remembered = answers.get(address);
      if (remembered !== undefined) return remembered;
      const allowed = check(address);
      if (answers.size >= rememberedAddresses) answers.delete(answers.keys().next().value as string);
      answers.set(address, allowed);
      return allowed;
    },
  };
}
