import type { Organization, User } from './entities.js';

/**
 * Who administers an organization's members' credentials: its owner, and the server's administrators. Everyone else,
 * members included, sees only their own tokens.
 */
export function administersOrganization(
  user: Pick<User, 'id' | 'isAdmin'>,
  organization: Pick<Organization, 'ownerId'>,
): boolean {
  return user.isAdmin || organization.ownerId === user.id;
}
