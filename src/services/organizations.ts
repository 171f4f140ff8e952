import type { Organization, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { validateName } from '../domain/names.js';
import { DuplicateKeyError, type OrganizationMember } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import { TtlCache } from './ttl-cache.js';

export class OrganizationService {
  /**
   * Every API request resolves its organization from the URL. Organizations are never renamed or removed, so a found
   * one is reused for the cache's lifetime; a miss is never kept, so one created elsewhere is seen at once.
   */
  private readonly byName: TtlCache<string, Organization | undefined>;

  constructor(
    private readonly context: ServiceContext,
    options: { cacheMs: number } = { cacheMs: 0 },
  ) {
    this.byName = new TtlCache(context.clock, { ttlMs: options.cacheMs, maxEntries: 1_000 });
  }

  /** Drops every cached organization (for a change feed from other instances). */
  invalidate(): void {
    this.byName.clear();
  }

  private async user(username: string): Promise<User> {
    const user = await this.context.store.users.findByUsername(username);
    if (!user) throw new DomainError('userNotFound', `User "${username}" does not exist.`);
    return user;
  }

  async get(name: string): Promise<Organization> {
    const organization = await this.byName.getOrLoad(
      name,
      () => this.context.store.organizations.findByName(name),
      (found) => found !== undefined,
    );
    if (!organization) throw new DomainError('organizationNotFound', `Organization "${name}" does not exist.`);
    return organization;
  }

  async add(name: string, ownerUsername: string): Promise<Organization> {
    validateName('organization', name);
    const owner = await this.user(ownerUsername);
    const now = this.context.clock.now().toISOString();
    const organization: Organization = { id: this.context.newId(), name, ownerId: owner.id, createdAt: now };
    try {
      await this.context.store.transaction(async (repositories) => {
        if (await repositories.organizations.findByName(name)) throw new DuplicateKeyError(name);
        await repositories.organizations.insert(organization);
        await repositories.organizations.addMember(organization.id, owner.id, now);
      });
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        throw new DomainError('organizationExists', `Organization "${name}" already exists.`);
      }
      throw error;
    }
    return organization;
  }

  list(): Promise<Organization[]> {
    return this.context.store.organizations.list();
  }

  listForUser(userId: string): Promise<Organization[]> {
    return this.context.store.organizations.listForMember(userId);
  }

  async addMember(organizationName: string, username: string): Promise<void> {
    const organization = await this.get(organizationName);
    const user = await this.user(username);
    try {
      await this.context.store.organizations.addMember(organization.id, user.id, this.context.clock.now().toISOString());
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        throw new DomainError('memberExists', `User "${user.username}" is already a member of "${organization.name}".`);
      }
      throw error;
    }
    // A new member's tokens work at once, not after the verification caches expire.
    await this.context.credentials.changed('memberships', user.id);
  }

  async removeMember(organizationName: string, username: string): Promise<void> {
    const organization = await this.get(organizationName);
    const user = await this.user(username);
    if (organization.ownerId === user.id) {
      throw new DomainError('ownerCannotLeave', `User "${user.username}" owns "${organization.name}" and cannot be removed.`);
    }
    if (!(await this.context.store.organizations.removeMember(organization.id, user.id))) {
      throw new DomainError('notMember', `User "${user.username}" is not a member of "${organization.name}".`);
    }
    await this.context.credentials.changed('memberships', user.id);
  }

  async members(organizationName: string): Promise<OrganizationMember[]> {
    const organization = await this.get(organizationName);
    return this.context.store.organizations.listMembers(organization.id);
  }
}
