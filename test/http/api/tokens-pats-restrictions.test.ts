import { getBearerHandler } from 'azure-devops-node-api';
import { ClientApiBase } from 'azure-devops-node-api/ClientApiBases.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, basic } from '../../support/api.js';
import type { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';
import { tokenApiServer } from '../../support/token-api.js';

const patsLocationId = '2c1965e2-28da-4aa1-bc64-b8a58537ae9b';
const rotateLocationId = 'abe23304-5481-405f-84c7-45adb72c62bd';
const version = 'api-version=7.1-preview.1';

interface LapisRestrictions {
  projects: string[];
  readOnly: boolean;
  allowedAddresses: string[];
  rateLimit: string | null;
}
interface PatToken {
  authorizationId: string;
  displayName: string;
  scope: string;
  token: string | null;
  lapisRestrictions: LapisRestrictions;
}
interface PatTokenResult {
  patToken: PatToken | null;
  patTokenError: string;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`Lapis restrictions in the PAT lifecycle API on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let url: string;
    let bearer: string;

    beforeAll(async () => {
      ({ lapis, fixture, url, bearer } = await tokenApiServer(await backend.open()));
      await lapis.services.projects.add(fixture.organization.id, { name: 'api' });
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    async function call(method: string, query: string, body?: unknown): Promise<PatTokenResult> {
      const response = await fetch(`${url}/contoso/_apis/tokens/pats?${query}${version}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          'x-tfs-fedauthredirect': 'Suppress',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as PatTokenResult;
    }

    it('creates with restrictions that hold, returns them on GET, and replaces them on PUT', async () => {
      const created = await call('POST', '', {
        displayName: 'restricted',
        scope: 'vso.build_execute',
        lapisRestrictions: { projects: ['web'], readOnly: true, allowedAddresses: ['127.0.0.0/8'], rateLimit: '60/min' },
      });
      expect(created.patTokenError).toBe('none');
      const restricted: LapisRestrictions = {
        projects: [fixture.project.id],
        readOnly: true,
        allowedAddresses: ['127.0.0.0/8'],
        rateLimit: '60/min',
      };
      expect(created.patToken?.lapisRestrictions).toEqual(restricted);
      const text = created.patToken?.token ?? '';
      const read = await fetch(`${url}/contoso/web/_apis/build/builds?api-version=7.1`, { headers: basic(text) });
      expect(read.status).toBe(200);
      expect(read.headers.get('ratelimit-limit')).toBe('60');
      const elsewhere = await fetch(`${url}/contoso/api/_apis/build/builds?api-version=7.1`, { headers: basic(text) });
      expect(elsewhere.status).toBe(403);

      const id = created.patToken?.authorizationId;
      const one = await call('GET', `authorizationId=${id}&`);
      expect(one.patToken?.lapisRestrictions).toEqual(restricted);

      // Fields left out keep the restrictions; lapisRestrictions given replaces all of them.
      const renamed = await call('PUT', '', { authorizationId: id, displayName: 'renamed' });
      expect(renamed.patToken?.lapisRestrictions).toEqual(restricted);
      const replaced = await call('PUT', '', {
        authorizationId: id,
        lapisRestrictions: { projects: ['api'], rateLimit: '10/s' },
      });
      expect(replaced.patToken?.lapisRestrictions).toEqual({
        projects: [(await lapis.services.projects.get(fixture.organization.id, 'api')).id],
        readOnly: false,
        allowedAddresses: [],
        rateLimit: '10/s',
      });
      const cleared = await call('PUT', '', { authorizationId: id, lapisRestrictions: {} });
      expect(cleared.patToken?.lapisRestrictions).toEqual({
        projects: [],
        readOnly: false,
        allowedAddresses: [],
        rateLimit: null,
      });
      expect((await lapis.services.tokens.get(id ?? '')).restrictions).toBeUndefined();
    });

    it('answers invalid restrictions in band with invalidLapisRestrictions and creates nothing', async () => {
      const before = (await lapis.services.tokens.list(fixture.alice)).length;
      const cases: unknown[] = [
        { projects: ['no-such-project'] },
        { allowedAddresses: ['10.0.0.0/33'] },
        { allowedAddresses: 'not a list' },
        { rateLimit: 'fast' },
        { rateLimit: 60 },
        { readOnly: 'yes' },
        { projects: [1, 2] },
        { colour: 'blue' },
        'read-only',
        [],
      ];
      for (const lapisRestrictions of cases) {
        const answer = await call('POST', '', { displayName: 'bad', scope: 'vso.build', lapisRestrictions });
        expect(answer, JSON.stringify(lapisRestrictions)).toEqual({ patToken: null, patTokenError: 'invalidLapisRestrictions' });
      }
      // A project restriction needs a token of one organization.
      const global = await call('POST', '', {
        displayName: 'bad',
        scope: 'vso.build',
        allOrgs: true,
        lapisRestrictions: { projects: ['web'] },
      });
      expect(global.patTokenError).toBe('invalidLapisRestrictions');
      expect((await lapis.services.tokens.list(fixture.alice)).length).toBe(before);

      const plain = await call('POST', '', { displayName: 'plain', scope: 'vso.build' });
      const put = await call('PUT', '', {
        authorizationId: plain.patToken?.authorizationId,
        lapisRestrictions: { rateLimit: '0/min' },
      });
      expect(put.patTokenError).toBe('invalidLapisRestrictions');
    });

    it('keeps the official client working: it ignores the Lapis field and finds the rotate route', async () => {
      const base = new ClientApiBase(`${url}/contoso`, [getBearerHandler(bearer)], 'lapis-test');
      const data = await base.vsoClient.getVersioningData('7.1-preview.1', 'Tokens', patsLocationId, {});
      const options = base.createRequestOptions('application/json', data.apiVersion);
      const created = await base.rest.create<PatTokenResult>(
        data.requestUrl ?? '',
        { displayName: 'from the client', scope: 'vso.build', allOrgs: false, lapisRestrictions: { readOnly: true } },
        options,
      );
      expect(created.result?.patTokenError).toBe('none');
      const id = created.result?.patToken?.authorizationId ?? '';
      // An Azure DevOps client's update sends only Azure DevOps fields: the restrictions stay.
      const updated = await base.rest.replace<PatTokenResult>(
        data.requestUrl ?? '',
        { authorizationId: id, displayName: 'renamed by the client', scope: 'vso.build', validTo: null, allOrgs: null },
        options,
      );
      expect(updated.result?.patToken).toMatchObject({
        displayName: 'renamed by the client',
        lapisRestrictions: { readOnly: true },
      });

      const rotate = await base.vsoClient.getVersioningData('7.1-preview.1', 'Tokens', rotateLocationId, { authorizationId: id });
      expect(rotate.requestUrl).toBe(`${url}/contoso/_apis/Tokens/Pats/${id}/Rotate`);
      const rotated = await base.rest.create<PatTokenResult & { rotation: { graceSeconds: number } }>(
        rotate.requestUrl ?? '',
        { graceSeconds: 3600 },
        base.createRequestOptions('application/json', rotate.apiVersion),
      );
      expect(rotated.result?.patToken).toMatchObject({
        displayName: 'renamed by the client',
        lapisRestrictions: { readOnly: true },
      });
      expect(rotated.result?.rotation.graceSeconds).toBe(3600);
    });
  });
}
