import Type from 'typebox';
import type { BuildFolder } from '../../../../domain/builds.js';
import { parseEnum } from '../../../../domain/builds.js';
import { DomainError } from '../../../../domain/errors.js';
import { folderQueryOrders } from '../../../../services/build-folders.js';
import { projectReference } from '../../references.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { listOf, queryParameters } from '../../values.js';
import { buildSubresource, caller, requireProject } from './context.js';
import { person } from './representation.js';

const folderBody = Type.Object({
  description: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
});

async function folderDocuments(context: ApiRequestContext<unknown, unknown>, folders: readonly BuildFolder[]) {
  const project = requireProject(context, 'Reading folders');
  const users = await context.services.users.byIds(folders.flatMap((folder) => [folder.createdById, folder.lastChangedById]));
  return folders.map((folder) => ({
    createdBy: person(users, folder.createdById, context),
    createdOn: folder.createdOn,
    description: folder.description,
    lastChangedBy: person(users, folder.lastChangedById, context),
    lastChangedDate: folder.lastChangedDate,
    path: folder.path,
    project: projectReference(project, context.collectionUrl),
  }));
}

function requiredPath(value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new DomainError('invalidInput', 'Name the folder: ?path=\\folder.');
  return value;
}

/**
 * Pipeline folders: list below a path, create (PUT ?path=), update or move (POST ?path=), delete (DELETE ?path=, with the
 * pipelines inside). The verbs are the same in every version of the spec, 4.1 to 7.2.
 */
export const foldersLocation: ApiLocation = {
  id: 'a906531b-d2da-4f55-bda7-f3e676cc50d9',
  area: 'build',
  resourceName: 'Folders',
  routeTemplate: '{project}/_apis/{area}/{resource}/{*path}',
  ...buildSubresource,
  resourceVersion: 2,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: 'Folders at and below a path (queryOrder none, folderAscending, folderDescending).',
      query: queryParameters('queryOrder'),
      async handler(context) {
        caller(context);
        const project = requireProject(context, 'Reading folders');
        const order = context.query.queryOrder ? parseEnum(folderQueryOrders, context.query.queryOrder, 'queryOrder') : 'none';
        const folders = await context.services.folders.list(project, context.routeValues.path, order === 'folderDescending');
        return listOf(await folderDocuments(context, folders));
      },
    }),
    PUT: operation({
      scopes: ['vso.build_execute'],
      summary: 'Create a folder (and the folders above it): PUT ?path=\\a\\b with {description}.',
      query: queryParameters('path'),
      body: folderBody,
      bodyOptional: true,
      async handler(context) {
        const { user } = caller(context);
        const project = requireProject(context, 'Creating a folder');
        const path = requiredPath(context.query.path ?? context.routeValues.path);
        const folder = await context.services.folders.create(project, user, path, context.body?.description);
        const [document] = await folderDocuments(context, [folder]);
        return { body: document };
      },
    }),
    POST: operation({
      scopes: ['vso.build_execute'],
      summary:
        'Update a folder: POST ?path=\\a with {description, path}; a new path moves it with the folders and pipelines below it.',
      query: queryParameters('path'),
      body: folderBody,
      async handler(context) {
        const { user } = caller(context);
        const project = requireProject(context, 'Updating a folder');
        const path = requiredPath(context.query.path ?? context.routeValues.path);
        const folder = await context.services.folders.update(project, user, path, context.body);
        const [document] = await folderDocuments(context, [folder]);
        return { body: document };
      },
    }),
    DELETE: operation({
      scopes: ['vso.build_execute'],
      summary: 'Delete a folder, the folders below it and the pipelines in them (DELETE ?path=).',
      query: queryParameters('path'),
      async handler(context) {
        caller(context);
        const project = requireProject(context, 'Deleting a folder');
        await context.services.folders.remove(project, requiredPath(context.query.path ?? context.routeValues.path));
        return {};
      },
    }),
  },
};
