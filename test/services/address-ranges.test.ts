import { describe, expect, it } from 'vitest';
import { addressAllowList, rememberedAddresses } from '../../src/services/address-ranges.js';

describe('a token address allow-list', () => {
  const list = () => addressAllowList(['10.0.0.0/8', '2001:db8::/32']);

  it.each([
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['2001:DB8::7', true],
    ['11.1.2.3', false],
    ['::ffff:11.1.2.3', false],
    ['2001:db9::7', false],
    ['not an address', false],
  ])('judges %j (%j), and judges it alike when asked again', (address, allowed) => {
    const addresses = list();
    expect(addresses.allows(address)).toBe(allowed);
    expect(addresses.allows(address)).toBe(allowed);
  });

  it('keeps judging every address right once more addresses have come than it remembers', () => {
    const addresses = list();
    const clients = Array.from({ length: rememberedAddresses * 3 }, (_, index) =>
      index % 2 === 0 ? `10.0.0.${index}` : `11.0.0.${index}`,
    );
    const first = clients.map((client) => addresses.allows(client));
    const again = [...clients].reverse().map((client) => addresses.allows(client));
    const expected = clients.map((client) => client.startsWith('10.'));
    expect(first).toEqual(expected);
    expect(again).toEqual([...expected].reverse());
  });
});
