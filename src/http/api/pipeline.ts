import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Organization } from '../../domain/entities.js';
import { DomainError } from '../../domain/errors.js';
import type { AccessGate } from '../auth/access-gate.js';
import { type ApiVersion, formatApiVersion } from './api-version.js';
import type { RenderedPages } from './build-pages.js';
import type { ApiHost, ApiLocation, ApiServices } from './registry.js';

export interface ApiOptions {
  services: ApiServices;
  access: AccessGate;
  config: Pick<Config, 'publicUrl' | 'anonymous'>;
  /** Rendered answers of the operations marked `buildPage`; without it they are rendered every time. */
  pages?: RenderedPages;
  /** Defaults to every area in `areas/index.ts`; tests pass their own. */
  locations?: readonly ApiLocation[];
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
