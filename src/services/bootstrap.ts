import { randomBytes } from 'node:crypto';
import type { ServiceContext } from './context.js';
import { OrganizationService } from './organizations.js';
import { UserService } from './users.js';

export interface BootstrapResult {
  username: string;
  password: string;
  organization: string;
}

const bootstrapKey = 'bootstrap.completed';

/**
 * On the first start against an empty store: creates the `admin` user with a random password and the
 * `default` organization. The meta key makes this happen once per store, even with several instances.
 */
export async function bootstrapStore(context: ServiceContext): Promise<BootstrapResult | undefined> {
  if (await context.store.meta.get(bootstrapKey)) return undefined;
  const claimed = await context.store.meta.setIfAbsent(bootstrapKey, context.clock.now().toISOString());
  if (!claimed) return undefined;
  const password = randomBytes(18).toString('base64url');
  const users = new UserService(context);
  const organizations = new OrganizationService(context);
  const admin = await users.add({ username: 'admin', displayName: 'Administrator', password, isAdmin: true });
  await organizations.add('default', admin.username);
  return { username: admin.username, password, organization: 'default' };
}
