import type { User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { validateDisplayName, validateEmail, validateName } from '../domain/names.js';
import { passwordProblem } from '../domain/password-policy.js';
import { DuplicateKeyError } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { topicCache } from './topic-cache.js';
import type { TtlCache } from './ttl-cache.js';

export interface NewUser {
  username: string;
  displayName?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  isAdmin?: boolean | undefined;
}

function checkNewPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new DomainError('invalidInput', problem);
}

export class UserService {
  /**
   * Users by id for rendering who requested or changed something. A user's names and address never change once
   * stored, so reuse within the cache's lifetime shows nothing stale; any instance's change to a user drops them.
   */
  private readonly rendered: TtlCache<string, User>;

  constructor(
    private readonly context: ServiceContext,
    options: { cacheMs: number } = { cacheMs: 0 },
  ) {
    this.rendered = topicCache(context, 'users', options.cacheMs);
  }

  async add(input: NewUser): Promise<User> {
    const username = validateName('username', input.username);
    const displayName = validateDisplayName(input.displayName ?? username);
    const email = input.email ? validateEmail(input.email) : null;
    if (input.password !== undefined) checkNewPassword(input.password);
    if (await this.context.store.users.findByUsername(username)) {
      throw new DomainError('userExists', `User "${username}" already exists.`);
    }
    const user: User = {
      id: this.context.newId(),
      username,
      displayName,
      email,
      passwordHash: input.password === undefined ? null : await hashPassword(input.password),
      isAdmin: input.isAdmin ?? false,
      disabledAt: null,
      createdAt: this.context.clock.now().toISOString(),
    };
    try {
      await this.context.store.users.insert(user);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new DomainError('userExists', `User "${username}" already exists.`);
      throw error;
    }
    return user;
  }

  find(username: string): Promise<User | undefined> {
    return this.context.store.users.findByUsername(username);
  }

  async get(username: string): Promise<User> {
    const user = await this.context.store.users.findByUsername(username);
    if (!user) throw new DomainError('userNotFound', `User "${username}" does not exist.`);
    return user;
  }

  /** The user behind a session or token, if it still exists. */
  findById(id: string): Promise<User | undefined> {
    return this.context.store.users.findById(id);
  }

  /** Users by id, for rendering who requested or changed something; unknown ids are left out. */
  async byIds(ids: Iterable<string>): Promise<Map<string, User>> {
    const found = new Map<string, User>();
    for (const id of new Set(ids)) {
      let user = this.rendered.get(id);
      if (!user) {
        const loadedIn = this.rendered.epoch;
        user = await this.context.store.users.findById(id);
        if (!user) continue;
        this.rendered.set(id, user, loadedIn);
      }
      found.set(id, user);
    }
    return found;
  }

  list(): Promise<User[]> {
    return this.context.store.users.list();
  }

  async disable(username: string): Promise<User> {
    const user = await this.get(username);
    if (user.disabledAt) return user;
    const disabledAt = this.context.clock.now().toISOString();
    await this.context.store.users.setDisabledAt(user.id, disabledAt);
    await this.context.store.webSessions.deleteForUser(user.id);
    await this.context.credentials.changed('users', user.id);
    return { ...user, disabledAt };
  }

  async enable(username: string): Promise<User> {
    const user = await this.get(username);
    await this.context.store.users.setDisabledAt(user.id, null);
    return { ...user, disabledAt: null };
  }

  /** An administrator's reset (page or CLI): the new password works at once and every web session of the user ends. */
  async setPassword(username: string, password: string): Promise<User> {
    checkNewPassword(password);
    const user = await this.get(username);
    await this.context.store.users.setPasswordHash(user.id, await hashPassword(password));
    await this.context.store.webSessions.deleteForUser(user.id);
    return user;
  }

  /** The user's own change: the current password is required; every other web session of the user ends. */
  async changeOwnPassword(user: User, current: string, next: string, keepSessionId: string): Promise<void> {
    const stored = await this.context.store.users.findById(user.id);
    if (!stored?.passwordHash || !(await verifyPassword(stored.passwordHash, current))) {
      throw new DomainError('invalidInput', 'The current password is incorrect.');
    }
    if (current === next) throw new DomainError('invalidInput', 'The new password must differ from the current one.');
    checkNewPassword(next);
    await this.context.store.users.setPasswordHash(user.id, await hashPassword(next));
    await this.context.store.webSessions.deleteForUser(user.id, keepSessionId);
  }
}
