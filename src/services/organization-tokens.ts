import type { Organization, PersonalAccessToken, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
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

/**
 * The organization administrator's view of personal access tokens: every member's tokens that work in the
 * organization, and revoking any of them. Callers check `administersOrganization` first.
 */
export class OrganizationTokenService {
  constructor(
    private readonly tokens: TokenService,
    private readonly organizations: OrganizationService,
  ) {}

  /** By member in name order, each member's newest first. */
  async list(organization: Organization): Promise<MemberToken[]> {
    const members = await this.organizations.members(organization.name);
    const byMember = await Promise.all(
      [...members]
        .sort((a, b) => a.user.username.localeCompare(b.user.username))
        .map(async ({ user }) =>
          (await this.tokens.list(user)).filter((token) => worksIn(token, organization)).map((token) => ({ user, token })),
        ),
    );
    return byMember.flat();
  }

  /** Tokens of non-members, or limited to another organization, are indistinguishable from missing ones. */
  async revoke(organization: Organization, tokenId: string): Promise<MemberToken> {
    const found = (await this.list(organization)).find((each) => each.token.id === tokenId);
    if (!found) throw new DomainError('tokenNotFound', `No personal access token has the authorization id "${tokenId}".`);
    return { user: found.user, token: await this.tokens.revoke(found.token) };
  }
}
