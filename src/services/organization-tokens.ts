import type { AuditOrigin } from '../domain/audit.js';
import type { Clock } from '../domain/clock.js';
import type { Organization, PersonalAccessToken, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { tokensByOwner } from '../domain/pat-list.js';
import { tokenStatus } from '../domain/pat-rules.js';
import type { OrganizationService } from './organizations.js';
import type { TokenService } from './tokens.js';

export interface MemberToken {
  user: User;
  token: PersonalAccessToken;
}

/** A token works in an organization when it is limited to it or to none (all the user's organizations). */
function worksIn(token: PersonalAccessToken, organization: Organization): boolean {
  return token.organizationId === null || token.organizationId === organization.id;
}

export interface MemberTokenPage {
  tokens: PersonalAccessToken[];
  /** The row the next page starts at; undefined on the last page. */
  next: number | undefined;
  /** When the tokens' status was judged. */
  at: Date;
}

/**
 * The organization administrator's view of personal access tokens: every member's tokens that work in the
 * organization, and revoking any of them. Callers check `administersOrganization` first.
 */
export class OrganizationTokenService {
  constructor(
    private readonly tokens: TokenService,
    private readonly organizations: OrganizationService,
    private readonly clock: Clock,
  ) {}

  /** By member in name order, each member's newest first. */
  async list(organization: Organization): Promise<MemberToken[]> {
    const [members, tokens] = await Promise.all([
      this.organizations.members(organization.name),
      this.tokens.listForMembersOf(organization),
    ]);
    const byOwner = tokensByOwner(tokens);
    return [...members]
      .sort((a, b) => a.user.username.localeCompare(b.user.username))
      .flatMap(({ user }) => (byOwner.get(user.id) ?? []).map((token) => ({ user, token })));
  }

  /** One member's tokens that work in the organization, newest first, from row `start`. */
  async pageOf(organization: Organization, member: User, start: number, size: number): Promise<MemberTokenPage> {
    const tokens = await this.memberTokens(organization, member);
    const end = start + size;
    return { tokens: tokens.slice(start, end), next: end < tokens.length ? end : undefined, at: this.clock.now() };
  }

  /** Tokens of non-members, or limited to another organization, are indistinguishable from missing ones. */
  async revoke(organization: Organization, tokenId: string, origin?: AuditOrigin): Promise<MemberToken> {
    const found = (await this.list(organization)).find((each) => each.token.id === tokenId);
    if (!found) throw new DomainError('tokenNotFound', `No personal access token has the authorization id "${tokenId}".`);
    return { user: found.user, token: await this.tokens.revoke(found.token, origin) };
  }

  /**
   * Revokes those of the listed tokens that belong to the organization's members and work in it, and are not yet
   * revoked; the others (unknown, another organization's, already revoked) are passed over. Returns the revoked.
   */
  async revokeMany(organization: Organization, tokenIds: readonly string[], origin: AuditOrigin): Promise<MemberToken[]> {
    const wanted = new Set(tokenIds.map((id) => id.toLowerCase()));
    const now = this.clock.now();
    const found = (await this.list(organization)).filter(
      ({ token }) => wanted.has(token.id.toLowerCase()) && tokenStatus(token, now) !== 'revoked',
    );
    const revoked: MemberToken[] = [];
    for (const { user, token } of found) revoked.push({ user, token: await this.tokens.revoke(token, origin) });
    return revoked;
  }

  /**
   * Every token of a user not yet revoked: those that work in the organization when one is given (the user must be
   * a member), else all of them. Returns the revoked.
   */
  async revokeAllOf(user: User, organization: Organization | undefined, origin: AuditOrigin): Promise<PersonalAccessToken[]> {
    if (organization && !(await this.organizations.members(organization.name)).some((m) => m.user.id === user.id)) {
      throw new DomainError('notMember', `User "${user.username}" is not a member of "${organization.name}".`);
    }
    const now = this.clock.now();
    const tokens = organization ? await this.memberTokens(organization, user) : await this.tokens.list(user);
    const revoked: PersonalAccessToken[] = [];
    for (const token of tokens) {
      if (tokenStatus(token, now) !== 'revoked') revoked.push(await this.tokens.revoke(token, origin));
    }
    return revoked;
  }

  private async memberTokens(organization: Organization, member: User): Promise<PersonalAccessToken[]> {
    return (await this.tokens.list(member)).filter((token) => worksIn(token, organization));
  }
}
