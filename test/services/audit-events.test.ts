import { afterAll, describe, expect, it } from 'vitest';
import { apiFixture, basic } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`audit entries from the usage trail and revocation rules (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('records the first use of a token from a new address, once', async () => {
      const lapis = await testApp(await backend.open());
      try {
        const fixture = await apiFixture(lapis);
        const pat = await fixture.pat('vso.project');
        const base = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        for (let call = 0; call < 3; call++) {
          const response = await fetch(`${base}/contoso/_apis/projects`, {
            headers: { ...basic(pat), 'user-agent': 'audit-test/1' },
          });
          expect(response.status).toBe(200);
          await lapis.services.tokenUsage.flush();
        }
        await expect
          .poll(async () => {
            const page = await lapis.services.audit.page(
              { organizationId: fixture.organization.id, actions: ['token.newAddress'] },
              10,
            );
            return page.entries.map((entry) => ({ ip: entry.ipAddress, agent: entry.data.userAgent }));
          })
          .toEqual([{ ip: '127.0.0.1', agent: 'audit-test/1' }]);
      } finally {
        await lapis.app.close();
      }
    });

    it('records who added a revocation rule', async () => {
      const lapis = await testApp(await backend.open());
      try {
        const fixture = await apiFixture(lapis);
        await lapis.services.revocationRules.add(fixture.organization, 'vso.build', '2030-01-01T00:00:00Z', {
          actor: { userId: fixture.alice.id, name: fixture.alice.username },
          via: 'api',
        });
        const page = await lapis.services.audit.page({ organizationId: fixture.organization.id, actions: ['admin.action'] }, 10);
        expect(page.entries).toEqual([
          expect.objectContaining({
            actorName: 'alice',
            via: 'api',
            data: expect.objectContaining({ operation: 'revocationRule.added', scopes: 'vso.build' }),
          }),
        ]);
      } finally {
        await lapis.app.close();
      }
    });
  });
}
