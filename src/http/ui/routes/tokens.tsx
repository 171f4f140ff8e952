import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { administersOrganization } from '../../../domain/organization-admin.js';
import { pageOrigin } from '../audit-origin.js';
import { formFailure } from '../form-failure.js';
import { NewTokenPage } from '../pages/new-token-page.js';
import { TokenCreatedPage } from '../pages/token-created-page.js';
import type { TokenFormValues } from '../pages/token-form.js';
import { applyTokenListQuery, readTokenListQuery } from '../pages/token-list-query.js';
import { tokenView } from '../pages/token-view.js';
import { type TokenFilter, type TokenNotice, TokensPage, tokenFilters, tokenNotices } from '../pages/tokens-page.js';
import { sendPage } from '../render.js';
import { expiryOptions } from '../token-expiry.js';
import { newTokenValues, readTokenForm, tokenSettings } from './token-form-input.js';
import { membership, type UserSettingsOptions } from './user-settings.js';

interface ListQuery {
  status?: string;
  notice?: string;
  q?: string;
  sort?: string;
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  return allowed.find((each) => each === value);
}

/** …/tokens: the list with its filters, and the new token form whose answer shows the token once. */
export function tokenRoutes(app: FastifyInstance, options: UserSettingsOptions): void {
  const { tokens, clock, policy } = options;

  app.get<{ Querystring: ListQuery }>('/tokens', async (request, reply) => {
    const { user, organization } = membership(request);
    const now = clock.now();
    const [all, everyOrganization] = await Promise.all([tokens.list(user), options.organizations.list()]);
    const [projectNames, inGrace] = await Promise.all([
      tokens.projectNames(all),
      options.tokenRotations.inGrace(all.map((token) => token.id)),
    ]);
    const policyWarnings = await options.policies.warningsForUser(user, all);
    const views = all.map((token) => tokenView(token, now, everyOrganization, projectNames, inGrace));
    const filter: TokenFilter = oneOf(tokenFilters, request.query.status) ?? 'active';
    const counts = { active: 0, expired: 0, revoked: 0, all: views.length };
    for (const view of views) counts[view.status] += 1;
    const notice = oneOf(Object.keys(tokenNotices) as TokenNotice[], request.query.notice);
    const query = readTokenListQuery(request.query);
    const shown = filter === 'all' ? views : views.filter((view) => view.status === filter);
    return sendPage(
      reply,
      200,
      <TokensPage
        organization={organization}
        filter={filter}
        views={applyTokenListQuery(shown, query)}
        counts={counts}
        query={query}
        notice={notice}
        policyWarnings={policyWarnings}
        administers={administersOrganization(user, organization)}
      />,
    );
  });

  function formPage(request: FastifyRequest, reply: FastifyReply, status: number, values?: TokenFormValues, error?: string) {
    const { organization, organizations } = membership(request);
    const expiry = expiryOptions(clock.now(), policy);
    return sendPage(
      reply,
      status,
      <NewTokenPage
        organization={organization}
        organizations={organizations}
        expiry={expiry}
        values={values ?? newTokenValues(organization.id, expiry)}
        error={error}
      />,
    );
  }

  app.get('/tokens/new', (request, reply) => formPage(request, reply, 200));

  app.post('/tokens/new', async (request, reply) => {
    const { user, organization, organizations } = membership(request);
    const values = readTokenForm(request.body);
    try {
      const settings = tokenSettings(values, expiryOptions(clock.now(), policy), false);
      const created = await tokens.create({
        user,
        displayName: settings.displayName,
        scope: settings.scope,
        organizationId: settings.organizationId,
        ...(settings.expiry !== 'keep' && settings.expiry),
        restrictions: settings.restrictions,
        origin: pageOrigin(request, user),
      });
      request.log.info({ authorizationId: created.token.id }, 'personal access token created');
      const view = tokenView(created.token, clock.now(), organizations, await tokens.projectNames([created.token]));
      // The text goes into this response only: no redirect, no URL, and sendPage forbids caching.
      return sendPage(
        reply,
        200,
        <TokenCreatedPage organization={organization} view={view} text={created.text} regenerated={false} />,
      );
    } catch (error) {
      const failure = formFailure(error);
      return formPage(request, reply, failure.status, values, failure.message);
    }
  });
}
