import type { Build } from '../../../../domain/builds.js';
import type { Organization, Project, User } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import type { ApiRequestContext } from '../../registry.js';
import { requiredInteger } from '../../values.js';

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

/** The build named by `{buildId}` in the URL's project (404 when it is not there), for the build's sub-resources. */
export async function requireBuild(
  context: ApiRequestContext<unknown, unknown>,
  action: string,
): Promise<{ project: Project; build: Build }> {
  const { organization } = caller(context);
  const project = requireProject(context, action);
  const build = await context.services.builds.get(
    organization.id,
    project,
    requiredInteger(context.routeValues.buildId, 'buildId'),
  );
  return { project, build };
}

/**
 * The versions of every build location: Azure DevOps Services serves the build area at 7.2-preview (its 7.2 spec lists
 * each of Lapis's build routes), and azure-devops-extension-api's BuildClient always asks for 7.2-preview.N.
 */
export const buildVersions = {
  minVersion: '2.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
} as const;

/** The `{buildId}/…` sub-resources share the build area's versions. */
export const buildSubresource = buildVersions;
