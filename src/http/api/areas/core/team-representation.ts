import type { Project, Team } from '../../../../domain/entities.js';

/** WebApiTeam as Azure DevOps renders it, without `identityUrl`: Lapis teams have no identity to link to. */
export function webApiTeam(team: Team, project: Pick<Project, 'id' | 'name'>, collectionUrl: string) {
  return {
    id: team.id,
    name: team.name,
    url: `${collectionUrl}/_apis/projects/${project.id}/teams/${team.id}`,
    description: team.description,
    projectName: project.name,
    projectId: project.id,
  };
}
