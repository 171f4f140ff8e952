import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/domain/entities.js';
import type { CredentialKind } from '../../../src/domain/principal.js';
import { baseScope, effectiveScopes, scopeCatalog, scopesAllow } from '../../../src/domain/scopes.js';
import { apiLocations } from '../../../src/http/api/areas/index.js';
import { type ApiHost, type ApiOperation, ApiRegistry, type ApiVerb, apiVerbs } from '../../../src/http/api/registry.js';
import { type ApiFixture, apiFixture } from '../../support/api.js';
import { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';
import { authorizeCode, callback, registerTestApp } from '../../support/oauth.js';

/**
 * The registry's own declarations, checked from outside through a listening server: for every location, host and
 * verb, and for personal access tokens and OAuth access tokens alike, the credential, scope, membership, version,
 * discovery and 405 rules the router promises. An area's own tests then cover only what its handlers do.
 */
const [sqlite] = backends();
const registry = new ApiRegistry(apiLocations);
const kinds = ['pat', 'oauth'] as const satisfies readonly CredentialKind[];

interface Case {
  name: string;
  host: ApiHost;
  /** A concrete path with every placeholder filled; missing resources answer 404, which is not the point here. */
  path: string;
  verb: ApiVerb;
  operation: ApiOperation;
  maxVersion: string;
}

/** The route of each location and host that has the most placeholders, filled with values. */
function concretePaths(): { location: (typeof apiLocations)[number]; host: ApiHost; path: string }[] {
  const chosen = new Map<string, { location: (typeof apiLocations)[number]; host: ApiHost; path: string; params: number }>();
  for (const route of registry.routes) {
    const key = `${route.location.id} ${route.host}`;
    const params = route.path.split(':').length;
    const previous = chosen.get(key);
    if (previous && previous.params >= params) continue;
    const path = route.path.replace(/:(\w+)/g, (_, name: string) =>
      name === 'organization' ? 'contoso' : name === 'project' ? 'web' : '1',
    );
    chosen.set(key, { location: route.location, host: route.host, path, params });
  }
  return [...chosen.values()];
}

const locations = concretePaths();
const cases: Case[] = locations.flatMap(({ location, host, path }) =>
  (Object.entries(location.operations) as [ApiVerb, ApiOperation][]).map(([verb, operation]) => ({
    name: `${verb} ${location.area}/${location.resourceName} (${host})`,
    host,
    path,
    verb,
    operation,
    maxVersion: location.maxVersion,
  })),
);
const undeclared = locations.flatMap(({ location, host, path }) =>
  apiVerbs
    .filter((verb) => !location.operations[verb])
    .map((verb) => ({ name: `${verb} ${location.area}/${location.resourceName} (${host})`, path, verb })),
);

/** A scope whose token does not satisfy the operation: `undefined` when every token does (operations needing only vso.base). */
function unrelatedScope(required: readonly string[]): string | undefined {
  return scopeCatalog.map((scope) => scope.id).find((id) => id !== baseScope && !scopesAllow(effectiveScopes([id]), required));
}

/** The declared scope itself; vso.base is in every token, so any one stands for it. */
function exactScope(required: readonly string[]): string {
  const [first] = required;
  return first === undefined || first === baseScope ? 'vso.profile' : first;
}

function nextVersion(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${(minor ?? 0) + 1}`;
}

describe('every registered operation, over HTTP, for PATs and OAuth access tokens', () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let fixture: ApiFixture;
  let outsider: User;
  let url: string;
  let appCredentials: { clientId: string; secret: string };
  const tokens = new Map<string, string>();

  async function oauthToken(user: User, scope: string): Promise<string> {
    const code = await authorizeCode(lapis.services, user, { clientId: appCredentials.clientId, scope });
    const issued = await lapis.services.oauthTokens.exchangeCode({
      client: appCredentials,
      code,
      redirectUri: callback,
      issuer: url,
    });
    return issued.accessToken;
  }

  /** `Authorization` for alice (a member of contoso) holding exactly `scope`, minted once per kind and scope. */
  async function credential(kind: CredentialKind, scope: string, user: User = fixture.alice): Promise<string> {
    const key = `${kind} ${scope} ${user.username}`;
    let header = tokens.get(key);
    if (!header) {
      if (kind === 'pat') {
        const { text } = await lapis.services.tokens.create({ user, displayName: scope, scope, organizationId: null, days: 30 });
        header = `Basic ${Buffer.from(`:${text}`).toString('base64')}`;
      } else {
        header = `Bearer ${await oauthToken(user, scope)}`;
      }
      tokens.set(key, header);
    }
    return header;
  }

  async function call(verb: string, path: string, options: { authorization?: string; version?: string } = {}) {
    const query = options.version ? `?api-version=${options.version}` : '';
    const response = await fetch(`${url}${path}${query}`, {
      method: verb,
      headers: {
        accept: 'application/json',
        'x-tfs-fedauthredirect': 'Suppress',
        ...(options.authorization && { authorization: options.authorization }),
      },
    });
    const text = await response.text();
    const message = response.headers.get('content-type')?.includes('json') && text ? (JSON.parse(text).message ?? '') : text;
    return { status: response.status, message: String(message) };
  }

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    fixture = await apiFixture(lapis);
    outsider = await lapis.services.users.add({ username: 'mallory' });
    const needed = new Set<string>(['vso.profile']);
    for (const { operation } of cases) {
      needed.add(exactScope(operation.scopes));
      const unrelated = unrelatedScope(operation.scopes);
      if (unrelated) needed.add(unrelated);
    }
    const { app, secret } = await registerTestApp(lapis.services, fixture.alice, [...needed].join(' '));
    appCredentials = { clientId: app.id, secret };
    await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  it('walks every location the registry declares', () => {
    expect(new Set(locations.map(({ location }) => location.id)).size).toBe(apiLocations.length);
  });

  describe.each(cases)('$name', ({ host, path, verb, operation, maxVersion }) => {
    const version = maxVersion;
    const accepted = kinds.filter((kind) => !operation.accepts || operation.accepts.includes(kind));
    const refusedKinds = kinds.filter((kind) => !accepted.includes(kind));

    it(operation.anonymous ? 'serves callers without credentials' : 'answers 401 without credentials', async () => {
      const response = await call(verb, path, { version });
      if (operation.anonymous) expect(response.status).not.toBe(401);
      else {
        expect(response.status).toBe(401);
        expect(response.message).toMatch(/^TF400813: Resource not available for anonymous access/);
      }
    });

    it.each(accepted)('%s: 401 naming the scope without it, admitted with exactly it', async (kind) => {
      const unrelated = unrelatedScope(operation.scopes);
      if (unrelated) {
        const refused = await call(verb, path, { version, authorization: await credential(kind, unrelated) });
        expect(refused.status).toBe(401);
        expect(refused.message).toContain(`lacks the scope ${operation.scopes[0]} `);
      } else {
        expect(operation.scopes).toEqual([baseScope]);
      }
      const admitted = await call(verb, path, { version, authorization: await credential(kind, exactScope(operation.scopes)) });
      expect(admitted.status).not.toBe(401);
      expect(admitted.status).toBeLessThan(500);
    });

    it.each(refusedKinds)('%s: 401, this API does not accept the credential kind', async (kind) => {
      const refused = await call(verb, path, { version, authorization: await credential(kind, exactScope(operation.scopes)) });
      expect(refused.status).toBe(401);
      expect(refused.message).toMatch(/^This API accepts only /);
    });

    it.skipIf(host !== 'organization').each(accepted)(
      '%s: 401 TF400813 for a user who is not a member of the organization',
      async (kind) => {
        const refused = await call(verb, path, {
          version,
          authorization: await credential(kind, exactScope(operation.scopes), outsider),
        });
        expect(refused.status).toBe(401);
        expect(refused.message).toBe("TF400813: The user 'mallory' is not authorized to access the organization 'contoso'.");
      },
    );

    it('400 above the maximum version', async () => {
      const response = await call(verb, path, {
        version: nextVersion(maxVersion),
        authorization: await credential(accepted[0] ?? 'oauth', exactScope(operation.scopes)),
      });
      expect(response.status).toBe(400);
      expect(response.message).toMatch(/out of range|outside the valid version range/);
    });
  });

  it.each(
    locations.map(({ location, host }) => ({ name: `${location.area}/${location.resourceName} (${host})`, location, host })),
  )('OPTIONS discovery lists $name', async ({ location, host }) => {
    const prefix = host === 'organization' ? '/contoso' : '';
    const response = await fetch(`${url}${prefix}/_apis/${location.area}/${location.resourceName}`, {
      method: 'OPTIONS',
      headers: { authorization: await credential('pat', 'vso.profile'), 'x-tfs-fedauthredirect': 'Suppress' },
    });
    expect(response.status).toBe(200);
    const listed = (await response.json()) as { value: { id: string; maxVersion: string }[] };
    expect(listed.value).toContainEqual(expect.objectContaining({ id: location.id, maxVersion: location.maxVersion }));
    const allowed = response.headers.get('access-control-allow-methods')?.split(',') ?? [];
    for (const verb of Object.keys(location.operations)) expect(allowed).toContain(verb);
  });

  it.each(undeclared)('405 for the undeclared verb $name', async ({ path, verb }) => {
    const response = await call(verb, path, { version: '7.1', authorization: await credential('oauth', 'vso.profile') });
    expect(response.status).toBe(405);
  });
});
