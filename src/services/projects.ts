import type { Project, ProjectVisibility } from '../domain/entities.js';
import { projectVisibilities } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { validateName } from '../domain/names.js';
import { DuplicateKeyError } from '../storage/ports.js';
import type { ServiceContext } from './context.js';

export interface NewProject {
  name: string;
  description?: string | undefined;
  visibility?: string | undefined;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseVisibility(value: string): ProjectVisibility {
  const found = projectVisibilities.find((v) => v === value.toLowerCase());
  if (!found) throw new DomainError('invalidInput', `Visibility must be private or public, not "${value}".`);
  return found;
}

export class ProjectService {
  constructor(private readonly context: ServiceContext) {}

  async add(organizationId: string, input: NewProject): Promise<Project> {
    const name = validateName('project', input.name);
    const description = input.description ?? '';
    if (description.length > 4000) throw new DomainError('invalidInput', 'Description must be at most 4000 characters.');
    const project: Project = {
      id: this.context.newId(),
      organizationId,
      name,
      description,
      visibility: parseVisibility(input.visibility ?? 'private'),
      state: 'wellFormed',
      revision: 1,
      lastUpdateTime: this.context.clock.now().toISOString(),
    };
    try {
      if (await this.context.store.projects.findByName(organizationId, name)) throw new DuplicateKeyError(name);
      await this.context.store.projects.insert(project);
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        throw new DomainError('projectExists', `Project "${name}" already exists in this organization.`);
      }
      throw error;
    }
    return project;
  }

  /** Finds a project by GUID or by name, as Azure DevOps URLs allow either. */
  async find(organizationId: string, idOrName: string): Promise<Project | undefined> {
    if (guidPattern.test(idOrName)) {
      const byId = await this.context.store.projects.findById(organizationId, idOrName);
      if (byId) return byId;
    }
    return this.context.store.projects.findByName(organizationId, idOrName);
  }

  async get(organizationId: string, idOrName: string): Promise<Project> {
    const project = await this.find(organizationId, idOrName);
    if (!project) {
      throw new DomainError(
        'projectNotFound',
        `VS800075: The project with id '${idOrName}' does not exist, or you do not have permission to access it.`,
      );
    }
    return project;
  }

  listAll(organizationId: string): Promise<Project[]> {
    return this.context.store.projects.list({ organizationId, limit: 100_000 });
  }
}
