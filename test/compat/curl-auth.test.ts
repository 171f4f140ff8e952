import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { curl } from '../support/curl.js';
import { type Listening, listening } from '../support/listening.js';
import { seedWorld, type World } from '../support/world.js';

const [sqlite] = backends();

/** The curl forms Microsoft's PAT documentation gives, against real routes of a listening server. */
describe('the document’s curl forms against a listening server', () => {
  let server: Listening;
  let world: World;
  let url: string;
  let pat: string;

  beforeAll(async () => {
    const store = await sqlite!.open();
    const clock = movableClock(new Date().toISOString());
    world = await seedWorld(store, clock);
    await world.services.projects.add(world.contoso.id, { name: 'web' });
    server = await listening(store, { clock });
    pat = (
      await server.lapis.services.tokens.create({
        user: world.alice,
        displayName: 'curl',
        scope: 'vso.build',
        organizationId: world.contoso.id,
      })
    ).text;
    url = `${server.url}/contoso/_apis/connectionData`;
  });
  afterAll(async () => {
    await server.close();
    await sqlite!.cleanup();
  });

  it('curl -u username:PAT', async () => {
    const response = await curl(['-u', `username:${pat}`, url]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ authenticatedUser: { id: world.alice.id } });
  });

  it('curl -u :PAT, on the build list its scope covers', async () => {
    const response = await curl(['-u', `:${pat}`, `${server.url}/contoso/web/_apis/build/builds?api-version=7.1`]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ count: 0, value: [] });
  });

  it('Authorization: Basic BASE64PATSTRING, built as the C# sample does (empty user)', async () => {
    const header = `Authorization: Basic ${Buffer.from(`:${pat}`, 'ascii').toString('base64')}`;
    const response = await curl(['-H', header, '-H', 'Accept: application/json', url]);
    expect(response.status).toBe(200);
    expect(response.headers['x-vss-userdata']).toBe(`${world.alice.id}:alice`);
  });

  it('a wrong PAT: 203 sign-in page for plain curl, 401 with Suppress', async () => {
    const wrong = `${pat.slice(0, 83)}${pat.endsWith('A') ? 'B' : 'A'}`;
    expect((await curl(['-u', `:${wrong}`, url])).status).toBe(203);
    const suppressed = await curl(['-u', `:${wrong}`, '-H', 'X-TFS-FedAuthRedirect: Suppress', url]);
    expect(suppressed.status).toBe(401);
    expect(suppressed.headers['www-authenticate']).toMatch(/^Bearer authorization_uri=.*TFS-Federated$/);
  });

  it('no credentials: 401 with Suppress, and the anonymous ResourceAreas location still answers', async () => {
    expect((await curl(['-H', 'X-TFS-FedAuthRedirect: Suppress', url])).status).toBe(401);
    const areas = await curl([`${server.url}/contoso/_apis/ResourceAreas`]);
    expect(areas.status).toBe(200);
    expect(JSON.parse(areas.body)).toEqual({ count: 0, value: null });
  });
});
