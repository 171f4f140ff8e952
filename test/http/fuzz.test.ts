import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, basic } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

/**
 * Generated requests against the real routes: headers, query strings, JSON bodies and paths. None may answer 5xx,
 * and every refusal from `/_apis` comes in the Azure DevOps envelope (from `/oauth2`, in the OAuth one).
 * LAPIS_FUZZ_RUNS sets the cases per store (default CI-sized); a tenth of them go through a listening server.
 */
const runs = Number(process.env.LAPIS_FUZZ_RUNS ?? 1500);

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const hostile = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '2147483647',
  '2147483648',
  '99999999999999999999',
  '1e300',
  'NaN',
  'none',
  'all',
  'null',
  '%00',
  'A%00A',
  '%ED%A0%80',
  '%FF',
  '%C0%AF',
  '..',
  '%2e%2e',
  '%2F',
  '*',
  "'",
  '"',
  '\\',
  '%0D%0A',
  'x'.repeat(600),
);
const encodedText = fc.string({ maxLength: 40, unit: 'binary' }).map((text) => encodeURIComponent(text).slice(0, 120));
const rawBytes = fc
  .uint8Array({ maxLength: 12 })
  .map((bytes) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join(''));
// Raw `\` is not a path character clients send (WHATWG URLs turn it into `/`); it travels encoded.
const segment = fc.oneof(
  hostile.map((value) => value.replaceAll('\\', '%5C')),
  encodedText,
  rawBytes,
  fc.nat({ max: 5 }).map(String),
  fc.constantFrom('web', 'contoso', 'ci'),
);
const idSegment = fc.oneof(fc.nat({ max: 6 }).map(String), segment);

const path = fc.oneof(
  fc.constant('/contoso/web/_apis/build/builds'),
  idSegment.map((id) => `/contoso/web/_apis/build/builds/${id}`),
  idSegment.map((id) => `/contoso/_apis/build/builds/${id}`),
  fc.tuple(idSegment, segment).map(([id, tag]) => `/contoso/web/_apis/build/builds/${id}/tags/${tag}`),
  idSegment.map((id) => `/contoso/web/_apis/build/builds/${id}/tags`),
  fc.tuple(idSegment, segment).map(([id, tag]) => `/contoso/web/_apis/build/definitions/${id}/tags/${tag}`),
  idSegment.map((id) => `/contoso/web/_apis/build/definitions/${id}`),
  fc.constant('/contoso/web/_apis/build/definitions'),
  segment.map((tag) => `/contoso/web/_apis/build/tags/${tag}`),
  fc.constant('/contoso/web/_apis/build/tags'),
  segment.map((project) => `/contoso/${project}/_apis/build/builds`),
  segment.map((id) => `/contoso/_apis/projects/${id}`),
  fc.constant('/contoso/_apis/projects'),
  fc.constant('/contoso/_apis/connectionData'),
  fc.constant('/contoso/_apis/profile/profiles/me'),
  segment.map((area) => `/contoso/_apis/${area}`),
  segment.map((org) => `/${org}/_apis/projects`),
  fc.constant('/_apis/accounts'),
  fc.constant('/_apis/ResourceAreas'),
  fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
);

const queryValue = fc.oneof(
  hostile,
  encodedText,
  rawBytes,
  fc.integer().map(String),
  fc.array(fc.oneof(fc.nat({ max: 9 }).map(String), encodedText), { maxLength: 200 }).map((items) => items.join(',')),
  fc.constantFrom('7.1', '7.2-preview', '7.1-preview.7', '1.0', '5.0', '99.9', 'latest'),
  fc.date({ noInvalidDate: true }).map((date) => encodeURIComponent(date.toUTCString())),
);
const queryName = fc.oneof(
  fc.constantFrom(
    'api-version',
    'statusFilter',
    'resultFilter',
    'reasonFilter',
    'tagFilters',
    'definitions',
    'buildIds',
    'continuationToken',
    '$top',
    '$skip',
    'queryOrder',
    'minTime',
    'maxTime',
    'branchName',
    'buildNumber',
    'requestedFor',
    'deletedFilter',
    'revision',
    'definitionId',
    'stateFilter',
    'name',
    'path',
    'details',
    'connectOptions',
  ),
  encodedText,
);
const query = fc
  .array(fc.tuple(queryName, queryValue), { maxLength: 6 })
  .chain((pairs) =>
    fc
      .boolean()
      .map((withVersion) => [...(withVersion ? [['api-version', '7.1'] as const] : []), ...pairs].map(([k, v]) => `${k}=${v}`)),
  )
  .map((pairs) => (pairs.length > 0 ? `?${pairs.join('&')}` : ''));

const deep = fc.integer({ min: 1, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.record({ id: fc.oneof(fc.integer(), fc.double(), fc.string()), status: fc.oneof(fc.string(), fc.integer()) }), {
    maxLength: 120,
  }),
  fc.record(
    {
      definition: fc.record({ id: fc.oneof(fc.integer(), fc.constant(2 ** 31), fc.string()) }),
      tags: fc.array(fc.string({ maxLength: 300 }), { maxLength: 120 }),
      tagsToAdd: fc.array(fc.string(), { maxLength: 110 }),
      tagsToRemove: fc.array(fc.string(), { maxLength: 5 }),
      name: fc.string(),
      status: fc.oneof(fc.string(), fc.integer()),
      result: fc.oneof(fc.string(), fc.integer()),
      startTime: fc.string(),
      revision: fc.integer(),
    },
    { requiredKeys: [] },
  ),
  fc.array(fc.string({ maxLength: 300 }), { maxLength: 120 }),
);
const body = fc.option(
  fc.oneof(
    jsonish.map((value) => JSON.stringify(value)),
    deep,
    fc.string({ maxLength: 200, unit: 'binary' }),
    fc.constantFrom('{', '[', '{"a":', 'null', '""', '\u0000', '{"name":"\\u0000"}', '{"id":1e999}'),
  ),
  { nil: undefined },
);

/** Header values as they may travel on the wire: visible ASCII, tab, space and obs-text. */
const headerValue = fc
  .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09), fc.integer({ min: 0x80, max: 0xff })), {
    maxLength: 80,
  })
  .map((codes) => String.fromCharCode(...codes).trim());
const headers = (pat: string): fc.Arbitrary<Record<string, string>> =>
  fc.record(
    {
      authorization: fc.oneof(
        fc.constant(basic(pat).authorization ?? ''),
        fc.constant(basic(pat).authorization ?? ''),
        headerValue,
        headerValue.map((v) => `Basic ${Buffer.from(v, 'latin1').toString('base64')}`),
        headerValue.map((v) => `Bearer ${v}`),
      ),
      accept: fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/json;api-version=7.1',
          'application/json;api-version=7.2-preview.3;excludeUrls=true;enumsAsNumbers=true',
          'application/json;api-version=abc',
          'text/html',
        ),
        headerValue,
      ),
      'content-type': fc.oneof(
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain'),
        headerValue,
      ),
      'x-http-method-override': fc.oneof(fc.constantFrom('PATCH', 'DELETE', 'PUT', 'GET'), headerValue),
      'x-tfs-fedauthredirect': fc.constant('Suppress'),
      'x-forwarded-for': headerValue,
      'if-none-match': headerValue,
    },
    { requiredKeys: ['authorization', 'x-tfs-fedauthredirect'] },
  );

const fuzzRequest = (pat: string): fc.Arbitrary<FuzzRequest> =>
  fc.record({
    method: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
    path,
    query,
    headers: headers(pat),
    body,
  });

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

function judge(request: FuzzRequest, answer: Answer): void {
  const where = `${request.method} ${request.path}${request.query} -> ${answer.status} ${answer.text.slice(0, 200)}`;
  expect(answer.status, where).toBeLessThan(500);
  if (answer.status < 400 || request.method === 'HEAD') return;
  // A 401 to a caller that does not accept JSON is plain text, as Azure DevOps answers browsers and scripts.
  if (answer.status === 401 && answer.contentType.startsWith('text/plain')) return;
  expect(answer.contentType, where).toMatch(/^application\/json/);
  const parsed = JSON.parse(answer.text) as Record<string, unknown>;
  if (request.path.startsWith('/oauth2')) {
    expect(typeof parsed.error, where).toBe('string');
    return;
  }
  expect(parsed, where).toMatchObject({ $id: '1', message: expect.any(String), typeKey: expect.any(String) });
}

function send(port: number, agent: Agent, request: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: request.method,
        path: `${request.path}${request.query}`.replaceAll(' ', '%20'),
        headers: request.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    if (request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD') outgoing.end(request.body);
    else outgoing.end();
  });
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`fuzzed requests on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let pat: string;
    let port: number;
    // A fresh connection per request: a verdict never depends on which earlier request shared the socket.
    const agent = new Agent({ keepAlive: false, maxSockets: 4 });
    const statuses = new Map<number, number>();

    beforeAll(async () => {
      lapis = await testApp(await backend.open(), {
        env: { LAPIS_AUTH_FAILURE_LIMIT: '1000000' },
      });
      const fixture = await apiFixture(lapis);
      pat = await fixture.pat('vso.build_execute vso.project_manage vso.profile');
      const definition = await lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
      for (const tags of [['release'], [], ['qa', 'nightly']]) {
        await lapis.services.builds.queue(fixture.project, fixture.alice, { definitionId: definition.id, tags });
      }
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      port = (lapis.app.server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      agent.destroy();
      await lapis.app.close();
      await backend.cleanup();
      const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}:${count}`);
      console.log(
        `fuzz ${backend.name}: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, statuses ${summary.join(' ')}`,
      );
    });

    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

    it(`answers ${runs - Math.floor(runs / 10)} generated requests (inject) without a 5xx`, { timeout: 3_600_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(fuzzRequest(pat), async (request) => {
          const response = await lapis.app.inject({
            method: request.method as 'GET',
            url: `${request.path}${request.query}`,
            headers: request.headers,
            ...(request.body !== undefined && { payload: request.body }),
          });
          count(response.statusCode);
          judge(request, {
            status: response.statusCode,
            contentType: String(response.headers['content-type'] ?? ''),
            text: response.body,
          });
        }),
        { numRuns: runs - Math.floor(runs / 10) },
      );
    });

    it(`answers ${Math.floor(runs / 10)} generated requests through a listening server without a 5xx`, {
      timeout: 3_600_000,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(fuzzRequest(pat), async (request) => {
          const answer = await send(port, agent, request);
          count(answer.status);
          judge(request, answer);
        }),
        { numRuns: Math.floor(runs / 10) },
      );
    });
  });
}
