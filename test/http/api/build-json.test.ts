import { describe, expect, it } from 'vitest';
import type { Build, BuildDefinition, DefinitionSettings } from '../../../src/domain/builds.js';
import type { Project, User } from '../../../src/domain/entities.js';
import { BuildJsonWriter } from '../../../src/http/api/areas/build/build-json.js';
import { type BuildRelations, buildDocument } from '../../../src/http/api/areas/build/representation.js';

/**
 * The build list writes each build's JSON directly (BuildJsonWriter) instead of stringifying `buildDocument`. Every
 * client reads the same bytes either way: these builds cover each optional field present and absent, people and
 * queues that are missing, and strings JSON has to escape.
 */
const awkward = 'quote " backslash \\ slash / tab \t newline \n nul \u0000 é ✓ 😀 lone \ud800 end';
// A repository URL holds the project's name URL-encoded, which a lone surrogate cannot be.
const awkwardName = awkward.replace('\ud800', '');
const urls = { baseUrl: 'https://lapis.example/', collectionUrl: `https://lapis.example/org "x"/${encodeURIComponent('ü')}` };

const project: Project = {
  id: 'p-1',
  organizationId: 'o-1',
  name: `Web ${awkwardName}`,
  description: awkward,
  visibility: 'private',
  state: 'wellFormed',
  revision: 7,
  lastUpdateTime: '2026-11-01T10:00:00.000Z',
  sourceControlType: 'Git',
  processTemplateId: 'adcc42ab-9882-485e-a3ed-7678f01f66bc',
};

function settings(overrides: Partial<DefinitionSettings>): DefinitionSettings {
  return {
    description: '',
    comment: '',
    repository: { id: 'r-1', type: 'TfsGit', name: 'web', clean: 'true', checkoutSubmodules: true },
    process: { type: 2, yamlFilename: 'azure-pipelines.yml' },
    queue: { id: 1, name: 'Azure Pipelines', pool: { id: 1, name: 'Azure Pipelines' } },
    variables: {},
    variableGroups: [],
    triggers: [],
    options: [],
    demands: [],
    retentionRules: [],
    properties: {},
    tags: [],
    jobTimeoutInMinutes: 60,
    jobCancelTimeoutInMinutes: 5,
    jobAuthorizationScope: 'projectCollection',
    badgeEnabled: false,
    ...overrides,
  };
}

function definition(id: number, overrides: Partial<DefinitionSettings>): BuildDefinition {
  return {
    organizationId: 'o-1',
    id,
    projectId: project.id,
    name: `pipeline ${id} ${awkward}`,
    path: '\\team\\ci',
    revision: 3,
    queueStatus: 'enabled',
    buildNumberFormat: '$(Date:yyyyMMdd)$(Rev:.r)',
    createdDate: '2026-10-01T10:00:00.000Z',
    modifiedDate: '2026-10-02T10:00:00.000Z',
    authoredById: 'u-1',
    deleted: false,
    settings: settings(overrides),
  };
}

const user: User = {
  id: 'u-1',
  username: 'alice',
  displayName: `Alice ${awkward}`,
  email: 'alice@example.test',
  passwordHash: null,
  isAdmin: false,
  disabledAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const withoutEmail: User = { ...user, id: 'u-2', username: 'bob', displayName: 'Bob', email: null };

const relations: BuildRelations = {
  definitions: new Map([
    [1, definition(1, {})],
    // No repository name (the project's stands in), no clean or submodules setting, no queue at all.
    [2, definition(2, { repository: { id: 'r-2', type: 'TfsGit' }, queue: undefined as unknown as Record<string, unknown> })],
  ]),
  projects: new Map([[project.id, project]]),
  users: new Map([
    [user.id, user],
    [withoutEmail.id, withoutEmail],
  ]),
};

const base: Build = {
  organizationId: 'o-1',
  id: 1,
  projectId: project.id,
  definitionId: 1,
  definitionRevision: 3,
  buildNumber: '20261130.1',
  buildNumberRevision: 1,
  status: 'completed',
  result: 'succeeded',
  reason: 'manual',
  priority: 'normal',
  queueTime: '2026-11-30T10:00:00.000Z',
  startTime: '2026-11-30T10:00:05.000Z',
  finishTime: '2026-11-30T10:03:00.000Z',
  sourceBranch: 'refs/heads/main',
  sourceVersion: 'a'.repeat(40),
  requestedForId: user.id,
  requestedById: withoutEmail.id,
  lastChangedById: user.id,
  lastChangedDate: '2026-11-30T10:03:00.000Z',
  tags: ['release', awkward],
  demands: ['agent.os -equals Linux'],
  parameters: null,
  templateParameters: { mode: awkward },
  triggerInfo: { 'ci.sourceBranch': 'refs/heads/main' },
  retainedByRelease: false,
  keepForever: true,
  deleted: false,
  deletedDate: null,
  deletedById: null,
};

const builds: Build[] = [
  base,
  { ...base, id: 2, status: 'notStarted', result: null, startTime: null, finishTime: null, buildNumberRevision: null },
  { ...base, id: 3, definitionId: 2, tags: [], demands: [], templateParameters: {}, triggerInfo: {} },
  { ...base, id: 4, parameters: `{"a":"${awkward}"}`, buildNumber: awkward, sourceBranch: awkward },
  { ...base, id: 5, requestedForId: 'u-gone', requestedById: 'u-gone', lastChangedById: 'u-gone' },
  { ...base, id: 6, deleted: true, deletedDate: '2026-11-30T11:00:00.000Z', deletedById: user.id },
  { ...base, id: 7, deleted: true, deletedDate: '2026-11-30T11:00:00.000Z', deletedById: 'u-gone' },
  { ...base, id: 8, deleted: true, deletedDate: '2026-11-30T11:00:00.000Z', deletedById: null },
  { ...base, id: 9_007_199_254_740_991, retainedByRelease: true, keepForever: false, status: 'inProgress', result: null },
];

describe('the build JSON writer', () => {
  const writer = new BuildJsonWriter(relations, urls);

  for (const build of builds) {
    it(`writes build ${build.id} byte-for-byte as JSON.stringify(buildDocument(...))`, () => {
      const expected = JSON.stringify(buildDocument(build, relations, urls));
      expect(writer.write(build)).toBe(expected);
      // A second write reuses what the first cached for the pipeline and the people.
      expect(writer.write(build)).toBe(expected);
    });
  }

  it('gives the same document as buildDocument for the other representations', () => {
    for (const build of builds) expect(writer.document(build)).toEqual(buildDocument(build, relations, urls));
  });

  it('reuses a pipeline text across pages only while the pipeline, its project and the collection URL are the same', () => {
    const renamed: Project = { ...project, name: 'Renamed', revision: 8 };
    const moved = { ...relations, projects: new Map([[project.id, renamed]]) };
    const elsewhere = { ...urls, collectionUrl: 'https://other.example/org' };
    for (const [pageRelations, pageUrls] of [
      [relations, urls],
      [moved, urls],
      [relations, elsewhere],
    ] as const) {
      const expected = JSON.stringify(buildDocument(base, pageRelations, pageUrls));
      expect(new BuildJsonWriter(pageRelations, pageUrls).write(base)).toBe(expected);
    }
  });

  it('refuses a build whose pipeline is not among the relations, as buildDocument does', () => {
    expect(() => writer.write({ ...base, id: 10, definitionId: 99 })).toThrow(/relations of build 10 are missing/);
  });
});
