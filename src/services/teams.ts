import type { Project, Team } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { validateName } from '../domain/names.js';
import { DuplicateKeyError } from '../storage/ports.js';
import type { ServiceContext } from './context.js';

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TeamPage {
  top?: number | undefined;
  skip?: number | undefined;
}

export interface TeamChanges {
  name?: string | undefined;
  description?: string | undefined;
}

/** The team Azure DevOps creates with every project. */
export function defaultTeamFor(project: Project, id: string): Team {
  return {
    id,
    organizationId: project.organizationId,
    projectId: project.id,
    name: `${project.name} Team`,
    description: 'The default project team.',
    isDefault: true,
    createdAt: project.lastUpdateTime,
  };
}

function validDescription(description: string): string {
  if (description.length > 4000) throw new DomainError('invalidInput', 'Description must be at most 4000 characters.');
  return description;
}

function teamExists(name: string): DomainError {
  return new DomainError('teamExists', `A team named "${name}" already exists in this project.`);
}

/** Teams of projects. Lapis has no team membership: every member of the organization counts as a member of every team. */
export class TeamService {
  constructor(private readonly context: ServiceContext) {}

  async defaultOf(project: Project): Promise<Team> {
    const team = await this.context.store.teams.findDefault(project.id);
    if (!team) throw new Error(`project ${project.id} has no default team`);
    return team;
  }

  /** By GUID or name, within the project. */
  async get(project: Project, idOrName: string): Promise<Team> {
    const byId = guidPattern.test(idOrName)
      ? await this.context.store.teams.findById(project.organizationId, idOrName)
      : undefined;
    const team = byId?.projectId === project.id ? byId : await this.context.store.teams.findByName(project.id, idOrName);
    if (!team) {
      throw new DomainError(
        'teamNotFound',
        `The team with id or name '${idOrName}' does not exist in project ${project.name}, or you do not have permission to access it.`,
      );
    }
    return team;
  }

  list(organizationId: string, project: Project | undefined, page: TeamPage): Promise<Team[]> {
    return this.context.store.teams.list({
      organizationId,
      ...(project && { projectId: project.id }),
      offset: page.skip ?? 0,
      limit: page.top ?? 100,
    });
  }

  async create(project: Project, input: { name: string; description?: string | undefined }): Promise<Team> {
    const name = validateName('team', input.name);
    const team: Team = {
      id: this.context.newId(),
      organizationId: project.organizationId,
      projectId: project.id,
      name,
      description: validDescription(input.description ?? ''),
      isDefault: false,
      createdAt: this.context.clock.now().toISOString(),
    };
    if (await this.context.store.teams.findByName(project.id, name)) throw teamExists(name);
    try {
      await this.context.store.teams.insert(team);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw teamExists(name);
      throw error;
    }
    return team;
  }

  async update(project: Project, idOrName: string, input: TeamChanges): Promise<Team> {
    const team = await this.get(project, idOrName);
    const changes: { name?: string; description?: string } = {};
    if (input.name !== undefined && input.name !== team.name) {
      changes.name = validateName('team', input.name);
      const clash = await this.context.store.teams.findByName(project.id, input.name);
      if (clash && clash.id !== team.id) throw teamExists(input.name);
    }
    if (input.description !== undefined) changes.description = validDescription(input.description);
    try {
      await this.context.store.teams.update(team.id, changes);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw teamExists(input.name ?? team.name);
      throw error;
    }
    return { ...team, ...changes };
  }

  async remove(project: Project, idOrName: string): Promise<void> {
    const team = await this.get(project, idOrName);
    if (team.isDefault) {
      throw new DomainError('defaultTeamRequired', `${team.name} is the default team of ${project.name} and cannot be deleted.`);
    }
    await this.context.store.teams.delete(team.id);
  }
}
