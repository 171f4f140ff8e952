import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, basic } from '../../support/api.js';
import type { testApp } from '../../support/app.js';
import { backends } from '../../support/backends.js';
import { tokenApiServer } from '../../support/token-api.js';
import { uiClient } from '../../support/ui.js';

const version = 'api-version=7.1-preview.1';

interface PagedPatTokens {
  continuationToken: string;
  patTokens: { authorizationId: string; displayName: string }[];
}

/** A token a revocation rule stops is revoked wherever its owner sees it: the lifecycle API and the tokens page. */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`tokens revoked by a rule list as revoked on ${backend.name}`, () => {
    let lapis: Awaited<ReturnType<typeof testApp>>;
    let fixture: ApiFixture;
    let url: string;
    let bearer: string;

    beforeAll(async () => {
      ({ lapis, fixture, url, bearer } = await tokenApiServer(await backend.open()));
    });
    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    const names = async (filter: string) => {
      const response = await fetch(`${url}/contoso/_apis/tokens/pats?displayFilterOption=${filter}&$top=100&${version}`, {
        headers: { authorization: `Bearer ${bearer}`, 'x-tfs-fedauthredirect': 'Suppress' },
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as PagedPatTokens).patTokens.map((token) => token.displayName).sort();
    };

    it('moves the stopped tokens from active to revoked in the lifecycle API and refuses to change them', async () => {
      const stopped = await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'stopped',
        scope: 'vso.code',
        organizationId: fixture.organization.id,
      });
      await lapis.services.tokens.create({
        user: fixture.alice,
        displayName: 'kept',
        scope: 'vso.project',
        organizationId: fixture.organization.id,
      });
      const admin = await fixture.pat('vso.tokenadministration');
      expect(await names('active')).toEqual(['kept', 'stopped', 'vso.tokenadministration']);
      const rule = await fetch(`${url}/contoso/_apis/tokenadmin/revocationrules?${version}`, {
        method: 'POST',
        headers: { ...basic(admin), 'content-type': 'application/json' },
        body: JSON.stringify({ scopes: 'vso.code', createdBefore: new Date(Date.now() + 1000).toISOString() }),
      });
      expect(rule.status).toBe(201);
      expect(await names('active')).toEqual(['kept', 'vso.tokenadministration']);
      expect(await names('revoked')).toEqual(['stopped']);
      const update = await fetch(`${url}/contoso/_apis/tokens/pats?${version}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${bearer}`, 'x-tfs-fedauthredirect': 'Suppress', 'content-type': 'application/json' },
        body: JSON.stringify({ authorizationId: stopped.token.id, displayName: 'renamed' }),
      });
      expect((await update.json()).patTokenError).toBe('invalidToken');
    });

    it('shows them revoked on the tokens page', async () => {
      const browser = uiClient(lapis.app);
      await lapis.services.users.add({ username: 'dora', password: 'dora-password-1' });
      await lapis.services.organizations.addMember('contoso', 'dora');
      const dora = await lapis.services.users.get('dora');
      await lapis.services.tokens.create({
        user: dora,
        displayName: 'doras code',
        scope: 'vso.code_write',
        organizationId: null,
      });
      await lapis.services.revocationRules.add(fixture.organization, 'vso.code', new Date(Date.now() + 1000).toISOString(), {
        actor: { userId: fixture.alice.id, name: 'alice' },
        via: 'api',
      });
      expect((await browser.signIn('dora', 'dora-password-1')).statusCode).toBe(303);
      const revoked = await browser.get('/contoso/_usersSettings/tokens?status=revoked');
      expect(revoked.body).toContain('doras code');
      const active = await browser.get('/contoso/_usersSettings/tokens?status=active');
      expect(active.body).not.toContain('doras code');
    });
  });
}
