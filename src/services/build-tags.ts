import { checkTagCount, tagKey, validTags } from '../domain/build-tags.js';
import type { Project, User } from '../domain/entities.js';
import type { BuildDefinitionService } from './build-definitions.js';
import type { BuildService } from './builds.js';
import type { ServiceContext } from './context.js';

/** `PATCH …/tags`: what the official clients call UpdateTagParameters. */
export interface TagChanges {
  tagsToAdd?: readonly string[] | undefined;
  tagsToRemove?: readonly string[] | undefined;
}

function sorted(tags: readonly string[]): string[] {
  return [...tags].sort((a, b) => (tagKey(a) < tagKey(b) ? -1 : tagKey(a) > tagKey(b) ? 1 : 0));
}

/** Tags of one build, of one definition, and of a whole project's builds. Every answer is the resulting tag list. */
export class BuildTagService {
  constructor(
    private readonly context: ServiceContext,
    private readonly builds: BuildService,
    private readonly definitions: BuildDefinitionService,
  ) {}

  async ofBuild(project: Project, buildId: number): Promise<string[]> {
    const build = await this.builds.get(project.organizationId, project, buildId);
    return [...build.tags];
  }

  /** Adds and removes in one transaction; the tag count is judged on the result. */
  async changeBuild(project: Project, buildId: number, changes: TagChanges): Promise<string[]> {
    const toAdd = validTags(changes.tagsToAdd ?? []);
    const toRemove = (changes.tagsToRemove ?? []).map((tag) => tag.trim()).filter(Boolean);
    await this.builds.get(project.organizationId, project, buildId);
    const { organizationId } = project;
    return this.context.store
      .transaction(async (repositories) => {
        await repositories.buildTags.remove(organizationId, buildId, toRemove);
        const current = await repositories.buildTags.ofBuild(organizationId, buildId);
        const present = new Set(current.map(tagKey));
        checkTagCount(current.length + toAdd.filter((tag) => !present.has(tagKey(tag))).length);
        await repositories.buildTags.add(organizationId, buildId, toAdd);
        await repositories.changes.publish('builds', organizationId);
        return repositories.buildTags.ofBuild(organizationId, buildId);
      })
      .finally(() => this.context.credentials.changedHere('builds', organizationId));
  }

  ofProject(project: Project): Promise<string[]> {
    return this.context.store.buildTags.inProject(project.organizationId, project.id);
  }

  /** Removes the tag from every build of the project. */
  async removeFromProject(project: Project, tag: string): Promise<string[]> {
    await this.context.store.buildTags.removeFromProject(project.organizationId, project.id, tag.trim());
    await this.context.credentials.changed('builds', project.organizationId);
    return this.ofProject(project);
  }

  async ofDefinition(project: Project, definitionId: number, revision?: number): Promise<string[]> {
    return sorted((await this.definitions.get(project, definitionId, revision)).settings.tags);
  }

  /** A definition's tags are part of it: a change is a new revision, as any other edit of the definition. */
  async changeDefinition(project: Project, definitionId: number, editor: User, changes: TagChanges): Promise<string[]> {
    const toAdd = validTags(changes.tagsToAdd ?? []);
    const removed = new Set((changes.tagsToRemove ?? []).map((tag) => tagKey(tag.trim())));
    const definition = await this.definitions.get(project, definitionId);
    const tags = definition.settings.tags.filter((tag) => !removed.has(tagKey(tag)));
    const present = new Set(tags.map(tagKey));
    tags.push(...toAdd.filter((tag) => !present.has(tagKey(tag))));
    checkTagCount(tags.length);
    if (tags.length === definition.settings.tags.length && tags.every((tag, i) => tag === definition.settings.tags[i])) {
      return sorted(tags);
    }
    const updated = await this.definitions.update(project, definitionId, editor, { revision: definition.revision, tags });
    return sorted(updated.settings.tags);
  }
}
