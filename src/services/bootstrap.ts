import { randomBytes } from 'node:crypto';
import type { Organization, User } from '../domain/entities.js';
import type { ServiceContext } from './context.js';
import { hashPassword } from './passwords.js';

export interface BootstrapResult {
  username: string;
  password: string;
  organization: string;
}

const bootstrapKey = 'bootstrap.completed';

/**
 * On the first start against an empty store: creates the `admin` user with a random password and the
 * `default` organization, in one transaction that first claims the bootstrap key. Several instances
 * starting together on one database wait on that key, and exactly one of them creates the admin.
 * `deliver` runs inside the transaction: if the password cannot reach the operator (an unwritable
 * data directory), nothing is created and the next start tries again.
 */
export async function bootstrapStore(
  context: ServiceContext,
  deliver: (result: BootstrapResult) => Promise<void>,
): Promise<BootstrapResult | undefined> {
  if (await context.store.meta.get(bootstrapKey)) return undefined;
  const password = randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  const now = context.clock.now().toISOString();
  return context.store.transaction(async (repositories) => {
    if (!(await repositories.meta.setIfAbsent(bootstrapKey, now))) return undefined;
    const admin: User = {
      id: context.newId(),
      username: 'admin',
      displayName: 'Administrator',
      email: null,
      passwordHash,
      isAdmin: true,
      disabledAt: null,
      createdAt: now,
    };
    const organization: Organization = { id: context.newId(), name: 'default', ownerId: admin.id, createdAt: now };
    await repositories.users.insert(admin);
    await repositories.organizations.insert(organization);
    await repositories.organizations.addMember(organization.id, admin.id, now);
    const result = { username: admin.username, password, organization: organization.name };
    await deliver(result);
    return result;
  });
}
