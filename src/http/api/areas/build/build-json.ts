import type { Build, BuildDefinition } from '../../../../domain/builds.js';
import type { Project } from '../../../../domain/entities.js';
import { projectReference } from '../../references.js';
import { type BuildRelations, buildDocument, definitionReference, person, repositoryOf } from './representation.js';

interface Urls {
  baseUrl: string;
  collectionUrl: string;
}

const json = JSON.stringify;

/** `"name":value,` for a value JSON.stringify would write; nothing for one it would leave out (undefined). */
function member(name: string, text: string | undefined): string {
  return text === undefined ? '' : `"${name}":${text},`;
}

/** The JSON text of a string without its quotes, for building longer strings whose other parts need no escaping. */
function inner(text: string): string {
  return json(text).slice(1, -1);
}

/** What every build of one pipeline shares, written once per page. */
interface DefinitionText {
  /** The project's URL, escaped, for the links the build builds on it. */
  base: string;
  badge: string;
  definition: string;
  project: string;
  queue: string | undefined;
  repository: string;
}

/**
 * Pipeline texts written for earlier pages. The definition and project caches hand out the same (never modified)
 * objects until something changes, so a text is reused while both objects and the collection URL are the same.
 */
const written = new WeakMap<BuildDefinition, { project: Project; collectionUrl: string; text: DefinitionText }>();

/**
 * The JSON text of `buildDocument` written directly: the pipeline, project and people a page's builds share are
 * serialised once per page instead of once per build, and no document object is made for the plain representation.
 * Each part comes from the same functions `buildDocument` uses, in the same order, so the text is byte-for-byte
 * `JSON.stringify(buildDocument(...))` (test/http/api/build-json.test.ts holds it to that).
 */
export class BuildJsonWriter {
  private readonly definitions = new Map<string, DefinitionText>();
  private readonly people = new Map<string, string | undefined>();

  constructor(
    private readonly relations: BuildRelations,
    private readonly urls: Urls,
  ) {}

  /** The build's document, for every representation other than the plain one. */
  document(build: Build) {
    return buildDocument(build, this.relations, this.urls);
  }

  private definitionText(build: Build): DefinitionText {
    const key = `${build.projectId}/${build.definitionId}`;
    const cached = this.definitions.get(key);
    if (cached) return cached;
    const project = this.relations.projects.get(build.projectId);
    const definition = this.relations.definitions.get(build.definitionId);
    if (!project || !definition) throw new Error(`relations of build ${build.id} are missing`);
    const text = this.describe(definition, project);
    this.definitions.set(key, text);
    return text;
  }

  private describe(definition: BuildDefinition, project: Project): DefinitionText {
    const { collectionUrl } = this.urls;
    const earlier = written.get(definition);
    if (earlier?.project === project && earlier.collectionUrl === collectionUrl) return earlier.text;
    const text = this.pipelineText(definition, project);
    written.set(definition, { project, collectionUrl, text });
    return text;
  }

  private pipelineText(definition: BuildDefinition, project: Project): DefinitionText {
    const base = inner(`${this.urls.collectionUrl}/${project.id}`);
    const repository = repositoryOf(definition, project, this.urls);
    return {
      base,
      badge: `{"href":"${base}/_apis/build/status/${definition.id}"}`,
      definition: json(definitionReference(definition, project, this.urls)),
      project: json(projectReference(project, this.urls.collectionUrl)),
      queue: json(definition.settings.queue) as string | undefined,
      repository: json({
        id: repository.id,
        type: repository.type,
        name: repository.name,
        url: repository.url,
        clean: repository.clean ?? null,
        checkoutSubmodules: repository.checkoutSubmodules ?? false,
      }),
    };
  }

  private personText(id: string | null): string | undefined {
    const key = id ?? '';
    if (this.people.has(key)) return this.people.get(key);
    const found = person(this.relations.users, id, this.urls);
    const text = found === undefined ? undefined : json(found);
    this.people.set(key, text);
    return text;
  }

  /** `JSON.stringify(buildDocument(build, relations, urls))`. */
  write(build: Build): string {
    const shared = this.definitionText(build);
    const { base } = shared;
    const self = `${base}/_apis/build/Builds/${build.id}`;
    return (
      `{"_links":{"self":{"href":"${self}"},"web":{"href":"${base}/_build/results?buildId=${build.id}"},` +
      `"timeline":{"href":"${self}/Timeline"},"badge":${shared.badge}},"properties":{},` +
      member('tags', json(build.tags)) +
      '"validationResults":[],"plans":[],' +
      member('templateParameters', json(build.templateParameters)) +
      member('triggerInfo', json(build.triggerInfo)) +
      member('id', json(build.id)) +
      member('buildNumber', json(build.buildNumber)) +
      member('status', json(build.status)) +
      (build.result ? member('result', json(build.result)) : '') +
      member('queueTime', json(build.queueTime)) +
      (build.startTime ? member('startTime', json(build.startTime)) : '') +
      (build.finishTime ? member('finishTime', json(build.finishTime)) : '') +
      `"url":"${self}","definition":${shared.definition},` +
      (build.buildNumberRevision !== null ? member('buildNumberRevision', json(build.buildNumberRevision)) : '') +
      `"project":${shared.project},"uri":"vstfs:///Build/Build/${build.id}",` +
      member('sourceBranch', json(build.sourceBranch)) +
      member('sourceVersion', json(build.sourceVersion)) +
      member('queue', shared.queue) +
      member('priority', json(build.priority)) +
      member('demands', json(build.demands)) +
      member('reason', json(build.reason)) +
      member('requestedFor', this.personText(build.requestedForId)) +
      member('requestedBy', this.personText(build.requestedById)) +
      member('lastChangedDate', json(build.lastChangedDate)) +
      member('lastChangedBy', this.personText(build.lastChangedById)) +
      (build.parameters !== null ? member('parameters', json(build.parameters)) : '') +
      `"logs":{"id":0,"type":"Container","url":"${self}/logs"},"repository":${shared.repository},` +
      member('retainedByRelease', json(build.retainedByRelease)) +
      '"triggeredByBuild":null,' +
      member('keepForever', json(build.keepForever)) +
      member('deleted', json(build.deleted)) +
      (build.deletedDate
        ? member('deletedDate', json(build.deletedDate)) + member('deletedBy', this.personText(build.deletedById))
        : '') +
      '"appendCommitMessageToRunName":true}'
    );
  }
}
