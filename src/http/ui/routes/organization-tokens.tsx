import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../domain/clock.js';
import type { Organization } from '../../../domain/entities.js';
import { administersOrganization } from '../../../domain/organization-admin.js';
import type { OrganizationTokenService } from '../../../services/organization-tokens.js';
import type { OrganizationService } from '../../../services/organizations.js';
import type { TokenRotationService } from '../../../services/token-rotations.js';
import { pageOrigin } from '../audit-origin.js';
import { sendForbiddenPage, sendNotFoundPage } from '../error-pages.js';
import { requireSignedIn } from '../guards.js';
import {
  type OrganizationTokenNotice,
  OrganizationTokensPage,
  organizationTokenNotices,
  organizationTokensPath,
} from '../pages/organization-tokens-page.js';
import { applyTokenListQuery, readTokenListQuery } from '../pages/token-list-query.js';
import { tokenView } from '../pages/token-view.js';
import { sendPage } from '../render.js';
import { currentUser, signedInUser } from '../session.js';

export interface OrganizationSettingsOptions {
  organizations: OrganizationService;
  organizationTokens: OrganizationTokenService;
  /** Which listed tokens are rotated and still in their grace window. */
  tokenRotations: Pick<TokenRotationService, 'inGrace'>;
  clock: Clock;
}

interface OrganizationParams {
  organization: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the organization-settings guard: the organization its signed-in administrator manages. */
    administered: Organization | null;
  }
}

/**
 * preHandler: only the organization's owner or a server administrator passes. Others get the 403 page when the
 * organization is theirs, and the same 404 as for a missing one otherwise, so names cannot be probed.
 */
function requireOrganizationAdmin(organizations: OrganizationService) {
  return async (request: FastifyRequest<{ Params: OrganizationParams }>, reply: FastifyReply) => {
    const user = await currentUser(request);
    if (!user) return requireSignedIn(request, reply);
    const organization = (await organizations.list()).find(
      (candidate) => candidate.name.toLowerCase() === request.params.organization.toLowerCase(),
    );
    const visible =
      organization && (user.isAdmin || (await organizations.listForUser(user.id)).some((o) => o.id === organization.id));
    if (!organization || !visible) return sendNotFoundPage(request, reply);
    if (!administersOrganization(user, organization)) return sendForbiddenPage(reply);
    request.administered = organization;
    return undefined;
  };
}

/** /{organization}/_settings/tokens: an organization administrator sees and revokes any member's tokens there. */
export async function organizationSettingsArea(app: FastifyInstance, options: OrganizationSettingsOptions): Promise<void> {
  app.decorateRequest('administered', null);
  app.addHook('preHandler', requireOrganizationAdmin(options.organizations));

  app.get<{ Params: OrganizationParams; Querystring: { notice?: string; q?: string; sort?: string } }>(
    '/tokens',
    async (request, reply) => {
      const organization = request.administered!;
      const now = options.clock.now();
      const everyOrganization = await options.organizations.list();
      const members = await options.organizationTokens.list(organization);
      const inGrace = await options.tokenRotations.inGrace(members.map((row) => row.token.id));
      const rows = members.map((row) => ({
        ...row,
        view: tokenView(row.token, now, everyOrganization, undefined, inGrace),
      }));
      const notice = (Object.keys(organizationTokenNotices) as OrganizationTokenNotice[]).find((n) => n === request.query.notice);
      const query = readTokenListQuery(request.query);
      return sendPage(
        reply,
        200,
        <OrganizationTokensPage
          organization={organization}
          rows={applyTokenListQuery(rows, query)}
          anyToken={rows.length > 0}
          query={query}
          notice={notice}
        />,
      );
    },
  );

  app.post<{ Params: OrganizationParams & { id: string } }>('/tokens/:id/revoke', async (request, reply) => {
    const organization = request.administered!;
    const { user, token } = await options.organizationTokens.revoke(
      organization,
      request.params.id,
      pageOrigin(request, await signedInUser(request)),
    );
    request.log.info(
      { authorizationId: token.id, owner: user.id },
      'personal access token revoked by an organization administrator',
    );
    return reply.redirect(`${organizationTokensPath(organization)}?notice=revoked`, 303);
  });
}
