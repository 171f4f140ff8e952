import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthProbe, authProbe } from '../support/auth-probe.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { seedWorld } from '../support/world.js';

const [sqlite] = backends();

/** Runs the real curl binary (asynchronously: the server answers from this same process). */
async function curl(args: string[]): Promise<{ status: number; headers: string; body: string }> {
  const { stdout } = await promisify(execFile)('curl', ['-sS', '-D', '-', ...args], { encoding: 'utf8', timeout: 10_000 });
  const [head = '', ...rest] = stdout.split('\r\n\r\n');
  return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1]), headers: head, body: rest.join('\r\n\r\n') };
}

describe('the document’s curl forms against a listening server', () => {
  let probe: AuthProbe;
  let url: string;
  let pat: string;

  beforeAll(async () => {
    const store = await sqlite!.open();
    const clock = movableClock(new Date().toISOString());
    const world = await seedWorld(store, clock);
    probe = await authProbe(store, {}, clock);
    pat = (
      await probe.lapis.services.tokens.create({
        user: world.alice,
        displayName: 'curl',
        scope: 'vso.build',
        organizationId: world.contoso.id,
      })
    ).text;
    url = `${await probe.server.listen({ port: 0, host: '127.0.0.1' })}/contoso/_apis/probe`;
  });
  afterAll(async () => {
    await probe.server.close();
    await sqlite!.cleanup();
  });

  it('curl -u username:PAT', async () => {
    const response = await curl(['-u', `username:${pat}`, url]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ user: 'alice', credential: 'pat' });
  });

  it('curl -u :PAT', async () => {
    expect((await curl(['-u', `:${pat}`, url])).status).toBe(200);
  });

  it('Authorization: Basic BASE64PATSTRING, built as the C# sample does (empty user)', async () => {
    const header = `Authorization: Basic ${Buffer.from(`:${pat}`, 'ascii').toString('base64')}`;
    const response = await curl(['-H', header, '-H', 'Accept: application/json', url]);
    expect(response.status).toBe(200);
    expect(response.headers).toMatch(/x-vss-userdata: [0-9a-f-]{36}:alice/i);
  });

  it('a wrong PAT: 203 sign-in page for plain curl, 401 with Suppress', async () => {
    const wrong = `${pat.slice(0, 83)}${pat.endsWith('A') ? 'B' : 'A'}`;
    expect((await curl(['-u', `:${wrong}`, url])).status).toBe(203);
    const suppressed = await curl(['-u', `:${wrong}`, '-H', 'X-TFS-FedAuthRedirect: Suppress', url]);
    expect(suppressed.status).toBe(401);
    expect(suppressed.headers).toMatch(/www-authenticate: Bearer authorization_uri=.*TFS-Federated/i);
  });
});
