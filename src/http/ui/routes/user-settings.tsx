import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../domain/clock.js';
import type { Organization, User } from '../../../domain/entities.js';
import type { OrganizationPolicyService } from '../../../services/org-policies.js';
import type { OrganizationService } from '../../../services/organizations.js';
import type { TokenRotationService } from '../../../services/token-rotations.js';
import type { TokenUsageTrail } from '../../../services/token-usage.js';
import type { TokenPolicy, TokenService } from '../../../services/tokens.js';
import { sendNotFoundPage } from '../error-pages.js';
import { requireSignedIn } from '../guards.js';
import { ErrorPage } from '../pages/error-page.js';
import { tokensPath } from '../pages/token-paths.js';
import { sendPage } from '../render.js';
import { signedInUser } from '../session.js';
import { tokenActionRoutes } from './token-actions.js';
import { tokenRoutes } from './tokens.js';

/** Who is acting, in which organization, and every organization they may pick for a token. */
export interface Membership {
  user: User;
  organization: Organization;
  organizations: Organization[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the user-settings guard before any of its routes runs. */
    membership: Membership | null;
  }
}

export interface UserSettingsOptions {
  tokens: TokenService;
  /** Regenerate with a grace window; the list shows tokens in theirs. */
  tokenRotations: Pick<TokenRotationService, 'rotate' | 'rotationOf' | 'inGrace'>;
  /** Read on the token's edit page. */
  usage: Pick<TokenUsageTrail, 'trailOf'>;
  organizations: OrganizationService;
  clock: Clock;
  policy: TokenPolicy;
  policies: OrganizationPolicyService;
}

export function membership(request: FastifyRequest): Membership {
  if (!request.membership) throw new Error('membership() used outside the user-settings routes');
  return request.membership;
}

/**
 * preHandler: the organization in the URL must be one the user belongs to. Missing organizations and
 * other people's look the same, so the page does not tell which organization names exist.
 */
function requireMembership(organizations: OrganizationService) {
  return async (request: FastifyRequest<{ Params: { organization: string } }>, reply: FastifyReply) => {
    const user = await signedInUser(request);
    const mine = await organizations.listForUser(user.id);
    const wanted = request.params.organization.toLowerCase();
    const organization = mine.find((candidate) => candidate.name.toLowerCase() === wanted);
    if (!organization) {
      return sendPage(
        reply,
        404,
        <ErrorPage
          title="Organization not found"
          message={`You are not a member of an organization named “${request.params.organization}”. The home page lists yours.`}
        />,
      );
    }
    request.membership = { user, organization, organizations: mine };
    return undefined;
  };
}

/** /{organization}/_usersSettings/…: the signed-in user's settings within one of their organizations. */
export async function userSettingsArea(app: FastifyInstance, options: UserSettingsOptions): Promise<void> {
  app.decorateRequest('membership', null);
  app.addHook('preHandler', requireSignedIn);
  app.addHook('preHandler', requireMembership(options.organizations));
  app.setNotFoundHandler(sendNotFoundPage);
  app.get('/', (request, reply) => reply.redirect(tokensPath(membership(request).organization), 303));
  // Plain functions rather than nested plugins: Fastify repeats a parametric prefix in nested registrations.
  tokenRoutes(app, options);
  tokenActionRoutes(app, options);
}
