import type { User } from '../domain/entities.js';
import type { ServiceContext } from './context.js';

/** The people an organization may see: its members, by id. Identity and avatar links in API answers resolve here. */
export class IdentityService {
  constructor(private readonly context: ServiceContext) {}

  /** Members of the organization among `ids`; everyone else (unknown or outside it) is left out. */
  async members(organizationId: string, ids: readonly string[]): Promise<User[]> {
    const { store } = this.context;
    const found: User[] = [];
    for (const id of new Set(ids.map((value) => value.toLowerCase()))) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) continue;
      const user = await store.users.findById(id);
      if (user && (await store.organizations.isMember(organizationId, id))) found.push(user);
    }
    return found;
  }
}
