import type { Organization, Project, User } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import type { ApiRequestContext } from '../../registry.js';

/** The organization and the calling user, as build services take them. */
export function caller(context: ApiRequestContext<unknown, unknown>): { organization: Organization; user: User } {
  return { organization: context.organization, user: context.principal.user };
}

export function requireProject(context: ApiRequestContext<unknown, unknown>, action: string): Project {
  if (!context.project) {
    throw new DomainError('invalidInput', `${action} needs a project in the URL: {organization}/{project}/_apis/build/...`);
  }
  return context.project;
}
