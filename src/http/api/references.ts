import type { Project, User } from '../../domain/entities.js';
import { processTemplateName } from '../../domain/process-templates.js';

/** Azure DevOps subject descriptors are `{type}.{base64url(id)}`; Lapis users are presented as MSA-backed accounts. */
export function descriptorOf(user: User): string {
  return `msa.${Buffer.from(user.id, 'utf8').toString('base64url')}`;
}

/** The user id a descriptor written by `descriptorOf` carries; undefined for any other string. */
export function userIdOfDescriptor(descriptor: string): string | undefined {
  const match = /^msa\.([A-Za-z0-9_-]{1,200})$/.exec(descriptor);
  return match?.[1] ? Buffer.from(match[1], 'base64url').toString('utf8') : undefined;
}

/** The IdentityRef shape used for requesters, authors and the like. */
export function identityRef(user: User, collectionUrl: string) {
  const descriptor = descriptorOf(user);
  const avatar = `${collectionUrl}/_apis/Graph/Subjects/${descriptor}/Avatars`;
  return {
    displayName: user.displayName,
    url: `${collectionUrl}/_apis/Identities/${user.id}`,
    _links: { avatar: { href: avatar } },
    id: user.id,
    uniqueName: user.email ?? user.username,
    imageUrl: avatar,
    descriptor,
  };
}

/** TeamProjectReference. */
export function projectReference(project: Project, collectionUrl: string) {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    url: `${collectionUrl}/_apis/projects/${project.id}`,
    state: project.state,
    revision: project.revision,
    visibility: project.visibility,
    lastUpdateTime: project.lastUpdateTime,
  };
}

/** The `{id, name, url}` of a project's default team. */
export interface DefaultTeamReference {
  id: string;
  name: string;
}

/** TeamProject: the reference plus links, the default team and, when asked for, capabilities. */
export function teamProject(
  project: Project,
  collectionUrl: string,
  includeCapabilities: boolean,
  defaultTeam?: DefaultTeamReference,
) {
  const reference = projectReference(project, collectionUrl);
  return {
    ...reference,
    _links: {
      self: { href: reference.url },
      collection: { href: `${collectionUrl}/_apis/projectCollections/${project.organizationId}` },
      web: { href: `${collectionUrl}/${encodeURIComponent(project.name)}` },
    },
    ...(includeCapabilities && {
      capabilities: {
        versioncontrol: { sourceControlType: project.sourceControlType },
        processTemplate: {
          templateName: processTemplateName(project.processTemplateId),
          templateTypeId: project.processTemplateId,
        },
      },
    }),
    ...(defaultTeam && {
      defaultTeam: {
        id: defaultTeam.id,
        name: defaultTeam.name,
        url: `${collectionUrl}/_apis/projects/${project.id}/teams/${defaultTeam.id}`,
      },
    }),
  };
}
