import { afterAll, describe, expect, it } from 'vitest';
import { OrganizationService } from '../../src/services/organizations.js';
import { ProjectService } from '../../src/services/projects.js';
import { backends } from '../support/backends.js';
import { movableClock } from '../support/clock.js';
import { seedWorld } from '../support/world.js';

const cacheMs = 500;

/**
 * Organizations and projects resolved from URLs are cached for `cacheMs`: a change made through the same service is
 * seen at once, one made by another instance (here a second service over the same store) once the lifetime has passed
 * or when the change feed calls invalidate().
 */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(`organization and project caches on ${backend.name}`, () => {
    afterAll(() => backend.cleanup());

    it('sees its own renames and removals at once, another instance’s after the lifetime or an invalidate()', async () => {
      const store = await backend.open();
      const clock = movableClock();
      const world = await seedWorld(store, clock);
      const context = world.services.context;
      const here = new ProjectService(context, { cacheMs });
      const elsewhere = new ProjectService(context);
      const org = world.contoso.id;
      const web = await here.add(org, { name: 'web' });
      expect((await here.get(org, 'web')).id).toBe(web.id);

      await here.update(org, 'web', { name: 'site' });
      await expect(here.get(org, 'web')).rejects.toMatchObject({ code: 'projectNotFound' });
      expect((await here.get(org, web.id)).name).toBe('site');
      expect((await here.get(org, 'site')).id).toBe(web.id);

      await elsewhere.update(org, 'site', { name: 'portal' });
      expect((await here.get(org, 'site')).name).toBe('site');
      clock.advance(cacheMs + 1);
      await expect(here.get(org, 'site')).rejects.toMatchObject({ code: 'projectNotFound' });
      expect((await here.findById(org, web.id))?.name).toBe('portal');

      expect((await here.findById(org, web.id))?.name).toBe('portal');
      await elsewhere.remove(org, 'portal');
      expect((await here.findById(org, web.id))?.name).toBe('portal');
      here.invalidate();
      expect(await here.findById(org, web.id)).toBeUndefined();

      // A miss is never kept: a project created elsewhere is found at once.
      await expect(here.get(org, 'api')).rejects.toMatchObject({ code: 'projectNotFound' });
      await elsewhere.add(org, { name: 'api' });
      expect((await here.get(org, 'api')).name).toBe('api');
    });

    it('finds an organization created by another instance at once, though it was missing a moment before', async () => {
      const store = await backend.open();
      const clock = movableClock();
      const world = await seedWorld(store, clock);
      const here = new OrganizationService(world.services.context, { cacheMs });
      const elsewhere = new OrganizationService(world.services.context);
      await expect(here.get('northwind')).rejects.toMatchObject({ code: 'organizationNotFound' });
      await elsewhere.add('northwind', 'alice');
      expect((await here.get('northwind')).name).toBe('northwind');
      expect((await here.get('contoso')).id).toBe(world.contoso.id);
    });
  });
}
