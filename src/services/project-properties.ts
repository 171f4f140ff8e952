import type { Project, ProjectProperty, Team } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { processTemplateName } from '../domain/process-templates.js';
import type { ServiceContext } from './context.js';

/** One operation of a JSON Patch document (RFC 6902) as the properties API takes it. */
export interface PropertyPatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

const systemPrefix = 'system.';

/** The read-only properties Azure DevOps keeps for every project, derived from what Lapis stores. */
function systemProperties(project: Project, defaultTeam: Team): ProjectProperty[] {
  const git = project.sourceControlType === 'Git';
  return [
    { name: 'System.CurrentProcessTemplateId', value: project.processTemplateId },
    { name: 'System.Microsoft.TeamFoundation.Team.Default', value: defaultTeam.id },
    { name: 'System.OriginalProcessTemplateId', value: project.processTemplateId },
    { name: 'System.Process Template', value: processTemplateName(project.processTemplateId) },
    { name: 'System.ProcessTemplateType', value: project.processTemplateId },
    { name: 'System.SourceControlCapabilityFlags', value: git ? '2' : '1' },
    { name: 'System.SourceControlGitEnabled', value: git ? 'True' : 'False' },
    { name: 'System.SourceControlTfvcEnabled', value: git ? 'False' : 'True' },
  ];
}

/** `keys` of the GET: comma-separated names in which `*` matches any run of characters. */
function keyMatcher(keys: string | undefined): (name: string) => boolean {
  const patterns = (keys ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean)
    .map((key) => new RegExp(`^${key.split('*').map(escapeRegExp).join('.*')}$`, 'i'));
  return patterns.length === 0 ? () => true : (name) => patterns.some((pattern) => pattern.test(name));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function propertyName(path: string): string {
  const name = path.startsWith('/') ? path.slice(1) : '';
  if (name === '' || name.includes('/')) {
    throw new DomainError('invalidInput', `The patch path "${path}" must name one property: /{name}.`);
  }
  if (name.length > 256) throw new DomainError('invalidInput', 'A property name must be at most 256 characters.');
  if (name.toLowerCase().startsWith(systemPrefix)) {
    throw new DomainError('invalidInput', `${name} is a system property and cannot be changed.`);
  }
  return name;
}

export class ProjectPropertyService {
  constructor(private readonly context: ServiceContext) {}

  async list(project: Project, defaultTeam: Team, keys?: string): Promise<ProjectProperty[]> {
    const custom = await this.context.store.projectProperties.list(project.id);
    const matches = keyMatcher(keys);
    return [...systemProperties(project, defaultTeam), ...custom].filter((property) => matches(property.name));
  }

  /** Applies `add`, `replace` and `remove` operations in one transaction; any other operation is refused. */
  async patch(project: Project, operations: readonly PropertyPatchOperation[]): Promise<void> {
    const checked = operations.map((operation) => {
      const op = operation.op.toLowerCase();
      if (op !== 'add' && op !== 'replace' && op !== 'remove') {
        throw new DomainError(
          'invalidInput',
          `Project properties take add, replace and remove operations, not "${operation.op}".`,
        );
      }
      if (op !== 'remove' && operation.value === undefined) {
        throw new DomainError('invalidInput', `The ${op} operation on ${operation.path} needs a value.`);
      }
      return { op, name: propertyName(operation.path), value: operation.value };
    });
    await this.context.store.transaction(async (repositories) => {
      for (const { op, name, value } of checked) {
        if (op === 'remove') {
          if (!(await repositories.projectProperties.remove(project.id, name))) {
            throw new DomainError('invalidInput', `The property ${name} does not exist, so it cannot be removed.`);
          }
        } else await repositories.projectProperties.set(project.id, { name, value });
      }
    });
  }
}
