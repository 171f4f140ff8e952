import Type from 'typebox';
import type { Organization, Project } from '../../../../domain/entities.js';
import { DomainError } from '../../../../domain/errors.js';
import { identityRef } from '../../references.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { listOf, queryBoolean, queryInteger, typedQueryParameters } from '../../values.js';
import { webApiTeam } from './team-representation.js';

const teamBody = Type.Object({ name: Type.Optional(Type.String()), description: Type.Optional(Type.String()) });

async function projectOf(
  context: ApiRequestContext<unknown, unknown>,
): Promise<{ organization: Organization; project: Project }> {
  const organization = context.organization;
  const projectId = context.routeValues.projectId;
  if (!organization || !projectId) throw new Error('teams are served under an organization and a project');
  return { organization, project: await context.services.projects.get(organization.id, projectId) };
}

/** `$expandIdentity` would add identities Lapis does not model; asking for it is refused rather than ignored. */
function refuseExpandIdentity(value: boolean | undefined): void {
  if (value) {
    throw new DomainError('invalidInput', '$expandIdentity is not supported: Lapis teams have no separate identities.');
  }
}

export const teamsLocation: ApiLocation = {
  id: 'd30a3dd1-f8ba-442a-b86a-bd0c0c383e59',
  area: 'core',
  resourceName: 'teams',
  routeTemplate: '_apis/projects/{projectId}/teams/{*teamId}',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 3,
  operations: {
    GET: operation({
      scopes: ['vso.project'],
      summary:
        "List a project's teams ($mine, $top, $skip) or get one by id or name. Every organization member belongs to every team.",
      query: typedQueryParameters([], {
        $mine: queryBoolean,
        $top: queryInteger,
        $skip: queryInteger,
        $expandIdentity: queryBoolean,
      }),
      async handler(context) {
        const { organization, project } = await projectOf(context);
        refuseExpandIdentity(context.query.$expandIdentity);
        const teamId = context.routeValues.teamId;
        if (teamId)
          return { body: webApiTeam(await context.services.teams.get(project, teamId), project, context.collectionUrl) };
        const teams = await context.services.teams.list(organization.id, project, {
          top: context.query.$top,
          skip: context.query.$skip,
        });
        return listOf(teams.map((team) => webApiTeam(team, project, context.collectionUrl)));
      },
    }),
    POST: operation({
      scopes: ['vso.project_manage'],
      summary: 'Create a team in the project.',
      body: teamBody,
      async handler(context) {
        const { project } = await projectOf(context);
        if (context.routeValues.teamId) throw new DomainError('invalidInput', 'Create a team by POSTing to …/teams.');
        if (!context.body.name) throw new DomainError('invalidInput', 'A team needs a name.');
        const team = await context.services.teams.create(project, {
          name: context.body.name,
          description: context.body.description,
        });
        return { body: webApiTeam(team, project, context.collectionUrl) };
      },
    }),
    PATCH: operation({
      scopes: ['vso.project_write'],
      summary: 'Rename a team or change its description.',
      body: teamBody,
      async handler(context) {
        const { project } = await projectOf(context);
        const teamId = context.routeValues.teamId;
        if (!teamId) throw new DomainError('invalidInput', 'Name the team: PATCH …/teams/{teamId}.');
        const team = await context.services.teams.update(project, teamId, context.body);
        return { body: webApiTeam(team, project, context.collectionUrl) };
      },
    }),
    DELETE: operation({
      scopes: ['vso.project_manage'],
      summary: 'Delete a team (not the default team).',
      async handler(context) {
        const { project } = await projectOf(context);
        const teamId = context.routeValues.teamId;
        if (!teamId) throw new DomainError('invalidInput', 'Name the team: DELETE …/teams/{teamId}.');
        await context.services.teams.remove(project, teamId);
        return {};
      },
    }),
  },
};

export const teamMembersLocation: ApiLocation = {
  id: '294c494c-2600-4d7e-b76c-3dd50c3c95be',
  area: 'core',
  resourceName: 'members',
  routeTemplate: '_apis/projects/{projectId}/teams/{teamId}/members',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 2,
  operations: {
    GET: operation({
      scopes: ['vso.project'],
      summary: "A team's members: every member of the organization (Lapis has no team membership); the owner is the team admin.",
      query: typedQueryParameters([], { $top: queryInteger, $skip: queryInteger }),
      async handler(context) {
        const { organization, project } = await projectOf(context);
        await context.services.teams.get(project, context.routeValues.teamId ?? '');
        const top = context.query.$top ?? 100;
        const skip = context.query.$skip ?? 0;
        const members = await context.services.organizations.members(organization.name);
        return listOf(
          members.slice(skip, skip + top).map(({ user }) => ({
            identity: identityRef(user, context.collectionUrl),
            isTeamAdmin: user.id === organization.ownerId,
          })),
        );
      },
    }),
  },
};

export const allTeamsLocation: ApiLocation = {
  id: '7a4d9ee9-3433-4347-b47a-7a80f1cf307e',
  area: 'core',
  resourceName: 'teams',
  routeTemplate: '_apis/{resource}',
  minVersion: '5.1',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 3,
  operations: {
    GET: operation({
      scopes: ['vso.project'],
      summary: 'Every team of the organization ($mine, $top, $skip).',
      query: typedQueryParameters([], {
        $mine: queryBoolean,
        $top: queryInteger,
        $skip: queryInteger,
        $expandIdentity: queryBoolean,
      }),
      async handler(context) {
        const organization = context.organization;
        if (!organization) throw new Error('teams are served under an organization');
        refuseExpandIdentity(context.query.$expandIdentity);
        const teams = await context.services.teams.list(organization.id, undefined, {
          top: context.query.$top,
          skip: context.query.$skip,
        });
        const projects = new Map((await context.services.projects.listAll(organization.id)).map((p) => [p.id, p]));
        return listOf(
          teams.flatMap((team) => {
            const project = projects.get(team.projectId);
            return project ? [webApiTeam(team, project, context.collectionUrl)] : [];
          }),
        );
      },
    }),
  },
};
