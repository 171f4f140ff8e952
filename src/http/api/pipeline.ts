import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Organization } from '../../domain/entities.js';
import { DomainError } from '../../domain/errors.js';
import type { CredentialKind, Principal } from '../../domain/principal.js';
import { findScope, scopesAllow } from '../../domain/scopes.js';
import { setUserDataHeader } from '../ado-headers.js';
import type { AuthChain } from '../auth/chain.js';
import { sendAuthFailure } from '../auth/failure.js';
import { baseUrl } from '../base-url.js';
import { type ApiVersion, formatApiVersion } from './api-version.js';
import type { ApiHost, ApiLocation, ApiServices } from './registry.js';

export interface ApiOptions {
  services: ApiServices;
  authChain: AuthChain;
  config: Pick<Config, 'publicUrl' | 'anonymous'>;
  /** Defaults to every area in `areas/index.ts`; tests pass their own. */
  locations?: readonly ApiLocation[];
}

/** What authentication found out about the caller, or that it already answered. */
type Authenticated = { principal: Principal | undefined } | { answered: FastifyReply };

function describeScopes(scopes: readonly string[]): string {
  return scopes.map((id) => `${id} (${findScope(id)?.title ?? id})`).join(' or ');
}

function credentialName(principal: Principal): string {
  if (principal.credential === 'pat') return 'this personal access token';
  if (principal.credential === 'oauth') return 'this OAuth access token';
  return 'this credential';
}

export function contentType(version: ApiVersion | undefined): string {
  return `application/json; charset=utf-8${version ? `; api-version=${formatApiVersion(version)}` : ''}`;
}

/** PostgreSQL text cannot hold NUL and no Azure DevOps value needs it: refused before any lookup. */
export function rejectNulCharacters(request: FastifyRequest): void {
  const values = [...Object.values(request.params as object), ...Object.values(request.query as object)];
  if (values.some((value) => typeof value === 'string' && value.includes('\u0000'))) {
    throw new DomainError('invalidInput', 'The URL contains a NUL character.');
  }
}

export async function resolveOrganization(
  services: ApiServices,
  request: FastifyRequest,
  host: ApiHost,
): Promise<Organization | undefined> {
  if (host === 'deployment') return undefined;
  const name = (request.params as Record<string, string>).organization ?? '';
  return services.organizations.get(name);
}

/** Authenticates a request for an operation and answers refusals itself (401/203 as Azure DevOps does). */
export async function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  options: ApiOptions,
  organization: Organization | undefined,
  target: { scopes: readonly string[]; accepts?: readonly CredentialKind[]; anonymous?: boolean; label: string },
): Promise<Authenticated> {
  const failureOptions = { baseUrl: baseUrl(request, options.config.publicUrl), anonymous: options.config.anonymous };
  const outcome = await options.authChain.authenticate(request, {
    ...(organization && { organization }),
    ...(target.accepts && { accepts: target.accepts }),
  });
  if (outcome.kind === 'failure') return { answered: sendAuthFailure(request, reply, outcome.failure, failureOptions) };
  if (outcome.kind === 'none') {
    if (target.anonymous) return { principal: undefined };
    return {
      answered: sendAuthFailure(
        request,
        reply,
        { reason: 'missing', message: 'TF400813: Resource not available for anonymous access. Client authentication required.' },
        failureOptions,
      ),
    };
  }
  const { principal } = outcome;
  setUserDataHeader(reply, principal);
  if (!scopesAllow(principal.scopes, target.scopes)) {
    const message = `Access Denied: ${credentialName(principal)} lacks the scope ${describeScopes(target.scopes)} required for ${target.label}.`;
    return { answered: sendAuthFailure(request, reply, { reason: 'insufficientScope', message }, failureOptions) };
  }
  return { principal };
}
