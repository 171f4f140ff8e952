import Type from 'typebox';
import { maxTagsPerBuild } from '../../../../domain/build-tags.js';
import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { listOf, queryInteger, requiredInteger, typedQueryParameters } from '../../values.js';
import { buildVersions, caller, requireProject } from './context.js';

const tagList = Type.Array(Type.String(), { maxItems: maxTagsPerBuild });
const tagChanges = Type.Object({ tagsToAdd: Type.Optional(tagList), tagsToRemove: Type.Optional(tagList) });

/** The three tag locations answer as Azure DevOps does: the resulting tags, in a list envelope. */
const versions = { ...buildVersions, resourceVersion: 3 } as const;

function tagInUrl(context: ApiRequestContext<unknown, unknown>): string {
  const tag = (context.routeValues.tag ?? '').trim();
  if (tag === '') throw new DomainError('invalidInput', 'Name the tag in the URL: …/tags/{tag}.');
  return tag;
}

function noTagInUrl(context: ApiRequestContext<unknown, unknown>, verb: string): void {
  if (context.routeValues.tag !== undefined) {
    throw new DomainError('invalidInput', `${verb} …/tags takes the tags in the body, not in the URL.`);
  }
}

function buildOf(context: ApiRequestContext<unknown, unknown>) {
  const project = requireProject(context, 'Build tags');
  return { project, buildId: requiredInteger(context.routeValues.buildId, 'buildId') };
}

function definitionOf(context: ApiRequestContext<unknown, unknown>) {
  const project = requireProject(context, 'Definition tags');
  return { project, definitionId: requiredInteger(context.routeValues.definitionId, 'definitionId') };
}

export const buildTagsLocation: ApiLocation = {
  id: '6e6114b2-8161-44c8-8f6c-c5505782427f',
  area: 'build',
  resourceName: 'tags',
  routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}/{*tag}',
  ...versions,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: "A build's tags.",
      async handler(context) {
        const { project, buildId } = buildOf(context);
        return listOf(await context.services.buildTags.ofBuild(project, buildId));
      },
    }),
    PUT: operation({
      scopes: ['vso.build_execute'],
      summary: 'Add one tag (named in the URL) to a build.',
      async handler(context) {
        const { project, buildId } = buildOf(context);
        return listOf(await context.services.buildTags.changeBuild(project, buildId, { tagsToAdd: [tagInUrl(context)] }));
      },
    }),
    POST: operation({
      scopes: ['vso.build_execute'],
      summary: 'Add tags (a JSON array of strings) to a build.',
      body: tagList,
      async handler(context) {
        noTagInUrl(context, 'POST');
        const { project, buildId } = buildOf(context);
        return listOf(await context.services.buildTags.changeBuild(project, buildId, { tagsToAdd: context.body }));
      },
    }),
    PATCH: operation({
      scopes: ['vso.build_execute'],
      summary: 'Add and remove tags of a build: {tagsToAdd, tagsToRemove}.',
      body: tagChanges,
      async handler(context) {
        noTagInUrl(context, 'PATCH');
        const { project, buildId } = buildOf(context);
        return listOf(await context.services.buildTags.changeBuild(project, buildId, context.body));
      },
    }),
    DELETE: operation({
      scopes: ['vso.build_execute'],
      summary: 'Remove one tag (named in the URL) from a build.',
      async handler(context) {
        const { project, buildId } = buildOf(context);
        return listOf(await context.services.buildTags.changeBuild(project, buildId, { tagsToRemove: [tagInUrl(context)] }));
      },
    }),
  },
};

export const definitionTagsLocation: ApiLocation = {
  id: 'cb894432-134a-4d31-a839-83beceaace4b',
  area: 'build',
  resourceName: 'tags',
  routeTemplate: '{project}/_apis/{area}/definitions/{definitionId}/{resource}/{*tag}',
  ...versions,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: "A definition's tags, of its current or a given revision.",
      query: typedQueryParameters([], { revision: queryInteger }),
      async handler(context) {
        const { project, definitionId } = definitionOf(context);
        return listOf(await context.services.buildTags.ofDefinition(project, definitionId, context.query.revision));
      },
    }),
    PUT: operation({
      scopes: ['vso.build_execute'],
      summary: 'Add one tag (named in the URL) to a definition; a new revision.',
      async handler(context) {
        const { project, definitionId } = definitionOf(context);
        const { user } = caller(context);
        const changes = { tagsToAdd: [tagInUrl(context)] };
        return listOf(await context.services.buildTags.changeDefinition(project, definitionId, user, changes));
      },
    }),
    POST: operation({
      scopes: ['vso.build_execute'],
      summary: 'Add tags (a JSON array of strings) to a definition; a new revision.',
      body: tagList,
      async handler(context) {
        noTagInUrl(context, 'POST');
        const { project, definitionId } = definitionOf(context);
        const { user } = caller(context);
        const changes = { tagsToAdd: context.body };
        return listOf(await context.services.buildTags.changeDefinition(project, definitionId, user, changes));
      },
    }),
    PATCH: operation({
      scopes: ['vso.build_execute'],
      summary: 'Add and remove tags of a definition: {tagsToAdd, tagsToRemove}; a new revision.',
      body: tagChanges,
      async handler(context) {
        noTagInUrl(context, 'PATCH');
        const { project, definitionId } = definitionOf(context);
        const { user } = caller(context);
        return listOf(await context.services.buildTags.changeDefinition(project, definitionId, user, context.body));
      },
    }),
    DELETE: operation({
      scopes: ['vso.build_execute'],
      summary: 'Remove one tag (named in the URL) from a definition; a new revision.',
      async handler(context) {
        const { project, definitionId } = definitionOf(context);
        const { user } = caller(context);
        const changes = { tagsToRemove: [tagInUrl(context)] };
        return listOf(await context.services.buildTags.changeDefinition(project, definitionId, user, changes));
      },
    }),
  },
};

export const projectTagsLocation: ApiLocation = {
  id: 'd84ac5c6-edc7-43d5-adc9-1b34be5dea09',
  area: 'build',
  resourceName: 'tags',
  routeTemplate: '{project}/_apis/{area}/{resource}/{*tag}',
  ...versions,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: "Every tag of the project's builds.",
      async handler(context) {
        noTagInUrl(context, 'GET');
        return listOf(await context.services.buildTags.ofProject(requireProject(context, 'Project tags')));
      },
    }),
    DELETE: operation({
      scopes: ['vso.build_execute'],
      summary: "Remove a tag from every build of the project; answers the project's remaining tags.",
      async handler(context) {
        const project = requireProject(context, 'Project tags');
        return listOf(await context.services.buildTags.removeFromProject(project, tagInUrl(context)));
      },
    }),
  },
};
