import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePat } from '../../src/domain/pat-format.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { seedWorld } from '../support/world.js';

const [sqlite] = backends();
/** Real routes of each kind: any scope, a build scope, a write that needs api-version, an anonymous location. */
const routes = ['_apis/connectionData', 'web/_apis/build/builds', '_apis/projects?api-version=7.1', '_apis/ResourceAreas'];

/** A small seeded generator (mulberry32) so a failing case can be replayed. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  // Characters a header value may carry on the wire: tab, visible ASCII and obs-text.
  const headerChars = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(pick([9, 32 + int(95), 128 + int(128)]))).join('');
  return { int, pick, bytes, headerChars };
}

/**
 * Injected rather than sent over a socket: many generated values (bare obs-text, stray tabs) are ones fetch
 * refuses to send, and injection still runs Fastify's routing and the whole API pipeline of the real routes.
 */
describe('malformed Authorization headers', () => {
  afterAll(() => sqlite!.cleanup());

  it('never cause a 5xx (4,000 generated headers)', async () => {
    const store = await sqlite!.open();
    const world = await seedWorld(store, movableClock());
    await world.services.projects.add(world.contoso.id, { name: 'web' });
    const lapis = await testApp(store, { env: { LAPIS_AUTH_FAILURE_LIMIT: '1000000' } });
    const real = (
      await world.services.tokens.create({ user: world.alice, displayName: 'f', scope: 'vso.build', organizationId: null })
    ).text;
    const r = seeded(20261127);
    const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');
    const generators: (() => string)[] = [
      () => `Basic ${b64(r.bytes(r.int(200)))}`,
      () => `Basic ${r.headerChars(r.int(300))}`,
      () =>
        `${r.pick(['Basic', 'basic', 'BASIC', 'Bearer', 'Negotiate', 'NTLM', 'Digest', ''])}${r.pick([' ', '  ', '\t', ''])}${r.headerChars(r.int(120))}`,
      () => `Basic ${b64(`${r.headerChars(r.int(40))}:${r.headerChars(r.int(100))}`)}`,
      () => {
        const token = r.int(2) ? real : generatePat(randomBytes);
        const i = r.int(token.length);
        return `Basic ${b64(`:${token.slice(0, i)}${r.headerChars(1)}${token.slice(i + 1)}`)}`;
      },
      () => `Basic ${b64(`:${real}`).slice(0, r.int(112))}${r.pick(['', '=', '==', '==='])}`,
      () => `Basic ${b64(`${real}:${real}`)}`,
      () => `Bearer ${r.headerChars(r.int(500))}`,
      () => `Basic ${'A'.repeat(r.int(10_000))}`,
      () => `Basic ${b64(`:${'a'.repeat(52)}`)}`,
      () => `${r.headerChars(r.int(50))} ${b64(`:${real}`)}`,
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 4000; i++) {
      const authorization = r.pick(generators)();
      const response = await lapis.app.inject({
        method: r.pick(['GET', 'POST', 'PATCH', 'OPTIONS'] as const),
        url: `/${r.pick(['contoso', 'fabrikam', 'nowhere'])}/${r.pick(routes)}`,
        headers: { authorization, ...(r.int(2) && { 'x-tfs-fedauthredirect': 'Suppress' }) },
      });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode >= 500) throw new Error(`5xx for ${JSON.stringify(authorization)}: ${response.body}`);
    }
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(401)).toBeGreaterThan(100);
    expect(statuses.get(203)).toBeGreaterThan(100);
  });
});
