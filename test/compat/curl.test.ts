import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

const [sqlite] = backends();

interface CurlResult {
  status: number;
  body: string;
}

const run = promisify(execFile);

/** Runs the real curl binary (asynchronously: the server answers from this same process) and returns status and body. */
async function curl(args: string[]): Promise<CurlResult> {
  const { stdout: output } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args], { encoding: 'utf8', timeout: 20_000 });
  const cut = output.lastIndexOf('\n');
  return { status: Number(output.slice(cut + 1)), body: output.slice(0, cut) };
}

describe('curl, exactly as the PAT document shows it', async () => {
  let lapis: Awaited<ReturnType<typeof testApp>>;
  let base: string;
  let pat: string;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    const fixture = await apiFixture(lapis);
    pat = await fixture.pat('vso.build vso.project');
    const definition = await lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
    await lapis.services.builds.queue(fixture.project, fixture.alice, { definitionId: definition.id });
    await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  it('curl -u :PAT lists projects', async () => {
    const result = await curl(['-u', `:${pat}`, `${base}/contoso/_apis/projects?api-version=7.1`]);
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ count: 1, value: [{ name: 'web', state: 'wellFormed' }] });
  });

  it('curl -u username:PAT lists builds through the document’s build-release/builds URL', async () => {
    const result = await curl(['-u', `username:${pat}`, `${base}/contoso/_apis/build-release/builds`]);
    expect(result.status).toBe(200);
    const body = JSON.parse(result.body) as { count: number; value: { buildNumber: string; project: { name: string } }[] };
    expect(body.count).toBe(1);
    expect(body.value[0]?.project.name).toBe('web');
    expect(body.value[0]?.buildNumber).toMatch(/^\d{8}\.1$/);
  });

  it('curl -H "Authorization: Basic base64(:PAT)" lists a project’s builds at api-version 5.0', async () => {
    const header = `Authorization: Basic ${Buffer.from(`:${pat}`).toString('base64')}`;
    const result = await curl(['-H', header, `${base}/contoso/web/_apis/build/builds?api-version=5.0`]);
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ count: 1, value: [{ status: 'notStarted', reason: 'manual' }] });
  });

  it('curl without credentials gets the 203 sign-in page, and a 401 with Suppress', async () => {
    const page = await curl([`${base}/contoso/_apis/projects?api-version=7.1`]);
    expect(page.status).toBe(203);
    expect(page.body).toMatch(/<html/);
    const refused = await curl(['-H', 'X-TFS-FedAuthRedirect: Suppress', `${base}/contoso/_apis/projects?api-version=7.1`]);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ typeKey: 'UnauthorizedRequestException' });
  });
});
