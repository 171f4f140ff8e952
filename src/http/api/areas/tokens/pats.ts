import Type from 'typebox';
import { DomainError } from '../../../../domain/errors.js';
import { isGuid } from '../../../../domain/guid.js';
import { patListQuery } from '../../../../domain/pat-list.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { queryBoolean, queryInteger, queryParameters, typedQueryParameters } from '../../values.js';
import { lapisRestrictionsField, restrictionsInput } from './lapis-restrictions.js';
import { patToken, patTokenResult, targetOrganization } from './pat-token.js';

/**
 * Azure DevOps lets only a signed-in user manage PATs: a PAT cannot mint or manage PATs. Here an OAuth token
 * granted `vso.tokens` or a signed-in browser session may.
 */
const userCredentials = ['oauth', 'session'] as const;
const scopes = ['vso.tokens'];

/** Nullable like the .NET client's optional fields, which it sends as null. */
const optionalText = Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()]));
const optionalFlag = Type.Optional(Type.Union([Type.Boolean(), Type.Null()]));

const createRequest = Type.Object(
  {
    displayName: optionalText,
    scope: optionalText,
    validTo: optionalText,
    allOrgs: optionalFlag,
    lapisRestrictions: lapisRestrictionsField,
  },
  { additionalProperties: true },
);
const updateRequest = Type.Object(
  {
    authorizationId: optionalText,
    displayName: optionalText,
    scope: optionalText,
    validTo: optionalText,
    allOrgs: optionalFlag,
    lapisRestrictions: lapisRestrictionsField,
  },
  { additionalProperties: true },
);

function dateOf(text: string | null | undefined): Date | undefined {
  return text === undefined || text === null ? undefined : new Date(text);
}

const invalidAuthorizationId = { body: { patToken: null, patTokenError: 'invalidAuthorizationId' } };

async function getOne(context: ApiRequestContext<unknown, unknown>, id: string) {
  if (!isGuid(id)) return invalidAuthorizationId;
  const { user } = context.principal;
  return {
    body: await patTokenResult(async () => patToken(await context.services.tokens.getOwnedIn(user, context.organization.id, id))),
  };
}

export const patsLocation: ApiLocation = {
  id: '2c1965e2-28da-4aa1-bc64-b8a58537ae9b',
  area: 'Tokens',
  resourceName: 'Pats',
  routeTemplate: '_apis/{area}/{resource}',
  minVersion: '6.0',
  maxVersion: '7.2',
  // Preview-only on Azure DevOps: an api-version without -preview is refused.
  releasedVersion: '0.0',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes,
      accepts: userCredentials,
      summary:
        "The caller's tokens that work in this organization, paged (`displayFilterOption`, `sortByOption`, `isSortAscending`, `continuationToken`, `$top`), or one by `authorizationId`.",
      query: typedQueryParameters(['authorizationId', 'displayFilterOption', 'sortByOption', 'continuationToken'], {
        isSortAscending: queryBoolean,
        $top: queryInteger,
      }),
      async handler(context) {
        const { authorizationId } = context.query;
        if (authorizationId !== undefined) return getOne(context, authorizationId);
        const query = patListQuery({
          displayFilterOption: context.query.displayFilterOption,
          sortByOption: context.query.sortByOption,
          isSortAscending: context.query.isSortAscending,
          continuationToken: context.query.continuationToken,
          top: context.query.$top,
        });
        const page = await context.services.tokens.pageIn(context.principal.user, context.organization.id, query);
        return { body: { continuationToken: page.continuationToken, patTokens: page.tokens.map((token) => patToken(token)) } };
      },
    }),
    POST: operation({
      scopes,
      accepts: userCredentials,
      summary:
        'Create a token; the only answer that carries its text. Lapis also takes `lapisRestrictions` (projects, readOnly, allowedAddresses, rateLimit). Refusals come back in band (`patTokenError`).',
      body: createRequest,
      async handler(context) {
        const { body, organization } = context;
        return {
          body: await patTokenResult(async () => {
            const restrictions = restrictionsInput(body.lapisRestrictions);
            const created = await context.services.tokens.create({
              user: context.principal.user,
              displayName: body.displayName ?? '',
              scope: body.scope ?? '',
              organizationId: targetOrganization(body.allOrgs ?? false, organization),
              validTo: dateOf(body.validTo),
              restrictions,
            });
            return patToken(created.token, created.text);
          }),
        };
      },
    }),
    PUT: operation({
      scopes,
      accepts: userCredentials,
      summary:
        'Change a token by `authorizationId`; fields left out keep their values (`lapisRestrictions`, when given, replaces all of them).',
      body: updateRequest,
      async handler(context) {
        const { body, organization } = context;
        const id = body.authorizationId ?? '';
        if (!isGuid(id)) return invalidAuthorizationId;
        const { user } = context.principal;
        return {
          body: await patTokenResult(async () => {
            const restrictions = restrictionsInput(body.lapisRestrictions);
            const token = await context.services.tokens.getOwnedIn(user, organization.id, id);
            const updated = await context.services.tokens.update(token, user, {
              ...(typeof body.displayName === 'string' && { displayName: body.displayName }),
              ...(typeof body.scope === 'string' && { scope: body.scope }),
              ...(typeof body.validTo === 'string' && { validTo: new Date(body.validTo) }),
              ...(typeof body.allOrgs === 'boolean' && { organizationId: targetOrganization(body.allOrgs, organization) }),
              restrictions,
            });
            return patToken(updated);
          }),
        };
      },
    }),
    DELETE: operation({
      scopes,
      accepts: userCredentials,
      summary: 'Revoke a token by `authorizationId`: it stops working at once here and within the cache lifetime elsewhere.',
      query: queryParameters('authorizationId'),
      async handler(context) {
        const id = context.query.authorizationId ?? '';
        if (!isGuid(id)) throw new DomainError('invalidInput', 'authorizationId must be the GUID of one of your tokens.');
        const token = await context.services.tokens.getOwnedIn(context.principal.user, context.organization.id, id);
        await context.services.tokens.revoke(token);
        return { status: 204 };
      },
    }),
  },
};
