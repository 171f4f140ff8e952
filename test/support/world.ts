import { buildServices, type Services } from '../../src/compose.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Organization, User } from '../../src/domain/entities.js';
import type { Store } from '../../src/storage/ports.js';
import { testConfig } from './app.js';

export interface World {
  services: Services;
  alice: User;
  bob: User;
  contoso: Organization;
  fabrikam: Organization;
}

/** Two users and two organizations: alice belongs to both, bob only to contoso. */
export async function seedWorld(store: Store, clock: Clock, env: Record<string, string> = {}): Promise<World> {
  const services = buildServices(store, clock, testConfig(env));
  const alice = await services.users.add({ username: 'alice', password: 'correct horse battery' });
  const bob = await services.users.add({ username: 'bob' });
  const contoso = await services.organizations.add('contoso', 'alice');
  const fabrikam = await services.organizations.add('fabrikam', 'alice');
  await services.organizations.addMember('contoso', 'bob');
  return { services, alice, bob, contoso, fabrikam };
}
