import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../domain/errors.js';
import { parsePolicyMode, parsePolicyName } from '../../../domain/org-policies.js';
import type { OrganizationPolicyService } from '../../../services/org-policies.js';
import type { OrganizationService } from '../../../services/organizations.js';
import type { UserService } from '../../../services/users.js';
import { pageOrigin } from '../audit-origin.js';
import { formText } from '../form-body.js';
import { formFailure } from '../form-failure.js';
import { AdminPoliciesPage, policiesPath } from '../pages/admin-policies-page.js';
import { sendPage } from '../render.js';
import { signedInUser } from '../session.js';

interface NameParams {
  name: string;
}

interface PolicyParams extends NameParams {
  policy: string;
}

/** /_admin/organizations/{name}/policies: view and set the token policies; lists the tokens that break them. */
export function adminPolicyRoutes(
  app: FastifyInstance,
  organizations: OrganizationService,
  users: UserService,
  policies: OrganizationPolicyService,
): void {
  async function page(reply: FastifyReply, name: string, status: number, notice?: string, error?: string) {
    const organization = await organizations.get(name);
    const [current, everyone, violating] = await Promise.all([
      policies.forOrganization(organization),
      users.list(),
      policies.violatingTokens(organization),
    ]);
    return sendPage(
      reply,
      status,
      <AdminPoliciesPage
        organization={organization}
        policies={current}
        users={everyone}
        violating={violating}
        notice={notice}
        error={error}
      />,
    );
  }

  app.get<{ Params: NameParams; Querystring: { saved?: string } }>('/organizations/:name/policies', (request, reply) =>
    page(reply, request.params.name, 200, request.query.saved === '1' ? 'Policy saved.' : undefined),
  );

  app.post<{ Params: PolicyParams }>(
    '/organizations/:name/policies/:policy',
    async (request: FastifyRequest<{ Params: PolicyParams }>, reply) => {
      const organization = await organizations.get(request.params.name);
      try {
        const policy = parsePolicyName(request.params.policy);
        if (!policy) throw new DomainError('invalidInput', `There is no policy called "${request.params.policy}".`);
        const mode = parsePolicyMode(formText(request.body, 'mode'));
        if (!mode) throw new DomainError('invalidInput', 'Choose a mode: off, audit, warn or enforce.');
        const daysText = formText(request.body, 'maxDays').trim();
        const maxDays = daysText === '' ? null : /^\d{1,6}$/.test(daysText) ? Number(daysText) : Number.NaN;
        if (Number.isNaN(maxDays)) throw new DomainError('invalidInput', 'The longest lifetime must be a whole number of days.');
        await policies.set(
          organization,
          policy,
          { mode, maxDays: policy === 'maxLifespan' ? maxDays : undefined, allow: formText(request.body, 'allow').split(',') },
          pageOrigin(request, await signedInUser(request)),
        );
      } catch (error) {
        const failure = formFailure(error);
        return page(reply, organization.name, failure.status, undefined, failure.message);
      }
      return reply.redirect(`${policiesPath(organization)}?saved=1`, 303);
    },
  );
}
