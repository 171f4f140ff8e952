import { afterAll, describe, expect, it } from 'vitest';
import { BuildDefinitionService } from '../../src/services/build-definitions.js';
import { BuildFolderService } from '../../src/services/build-folders.js';
import { serviceContext } from '../../src/services/context.js';
import { OrganizationService } from '../../src/services/organizations.js';
import { ProjectService } from '../../src/services/projects.js';
import { UserService } from '../../src/services/users.js';
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

    it('renders pipelines from the cache, and drops them when this or any listening instance changes one', async () => {
      const store = await backend.open();
      const clock = movableClock();
      const world = await seedWorld(store, clock);
      const { context } = world.services;
      const here = new BuildDefinitionService(context, { cacheMs });
      const project = await world.services.projects.add(world.contoso.id, { name: 'web' });
      const org = world.contoso.id;
      const ci = await here.create(project, world.alice, { name: 'ci' });
      expect((await here.byIds(org, [ci.id])).get(ci.id)?.name).toBe('ci');

      const renamed = await here.update(project, ci.id, world.alice, { name: 'ci-2', revision: ci.revision });
      expect((await here.byIds(org, [ci.id])).get(ci.id)?.revision).toBe(renamed.revision);

      // A folder move rewrites the pipeline's path in its own service; the notice reaches this cache too.
      await new BuildFolderService(context).create(project, world.alice, '\\team', undefined);
      await here.update(project, ci.id, world.alice, { path: '\\team', revision: renamed.revision });
      await new BuildFolderService(context).update(project, world.alice, '\\team', { path: '\\crew' });
      expect((await here.byIds(org, [ci.id])).get(ci.id)?.path).toBe('\\crew');

      // Another instance over the same store: its notice (PostgreSQL) or the lifetime (SQLite hears nothing from a
      // write on its own connection) brings the change.
      const other = new BuildDefinitionService(serviceContext(store, clock));
      const current = (await here.byIds(org, [ci.id])).get(ci.id);
      await other.update(project, ci.id, world.alice, { name: 'ci-3', revision: current?.revision });
      if (backend.name === 'sqlite') expect((await here.byIds(org, [ci.id])).get(ci.id)?.name).toBe('ci-2');
      clock.advance(cacheMs + 1);
      expect((await here.byIds(org, [ci.id])).get(ci.id)?.name).toBe('ci-3');

      // Unknown ids are not kept: a pipeline created elsewhere is found at once.
      const later = await other.create(project, world.alice, { name: 'nightly' });
      expect([...(await here.byIds(org, [ci.id, later.id])).keys()].sort()).toEqual([ci.id, later.id].sort());
    });

    it('renders people from the cache, finds new ones at once and drops them on a user notice', async () => {
      const store = await backend.open();
      const clock = movableClock();
      const world = await seedWorld(store, clock);
      const here = new UserService(world.services.context, { cacheMs });
      expect((await here.byIds([world.alice.id, 'nobody'])).get(world.alice.id)?.username).toBe('alice');
      const carol = await new UserService(serviceContext(store, clock)).add({ username: 'carol' });
      expect([...(await here.byIds([world.alice.id, carol.id])).keys()]).toEqual([world.alice.id, carol.id]);
      await here.disable('carol');
      expect((await here.byIds([carol.id])).get(carol.id)?.disabledAt).not.toBeNull();
    });
  });
}
