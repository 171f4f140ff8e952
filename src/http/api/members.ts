import type { Organization, User } from '../../domain/entities.js';
import { DomainError } from '../../domain/errors.js';
import { userIdOfDescriptor } from './references.js';
import type { ApiServices } from './registry.js';

/**
 * The organization member a subject descriptor names, as connectionData and the Graph users list report it. A
 * string that is no descriptor is a 400; a descriptor of nobody in the organization a 404.
 */
export async function memberByDescriptor(
  services: Pick<ApiServices, 'identities'>,
  organization: Organization,
  descriptor: string,
): Promise<User> {
  const id = userIdOfDescriptor(descriptor);
  if (!id) throw new DomainError('invalidInput', `"${descriptor}" is not a subject descriptor.`);
  const [user] = await services.identities.members(organization.id, [id]);
  if (!user) throw new DomainError('userNotFound', `No member of '${organization.name}' has the descriptor ${descriptor}.`);
  return user;
}
