import Type from 'typebox';
import { parseIdList } from '../../../../domain/build-query.js';
import type { RetentionLease } from '../../../../domain/builds.js';
import { DomainError } from '../../../../domain/errors.js';
import type { MinimalRetentionLease } from '../../../../services/retention-leases.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { listOf, optionalInteger, queryParameters, requiredInteger } from '../../values.js';
import { buildSubresource, caller, requireBuild, requireProject } from './context.js';

const newLease = Type.Object({
  definitionId: Type.Optional(Type.Integer()),
  runId: Type.Optional(Type.Integer()),
  ownerId: Type.Optional(Type.String()),
  daysValid: Type.Optional(Type.Integer()),
  protectPipeline: Type.Optional(Type.Boolean()),
});

const leaseUpdate = Type.Object({
  daysValid: Type.Optional(Type.Integer()),
  protectPipeline: Type.Optional(Type.Boolean()),
});

function leaseDocument(lease: RetentionLease) {
  return {
    createdOn: lease.createdOn,
    definitionId: lease.definitionId,
    leaseId: lease.id,
    ownerId: lease.ownerId,
    protectPipeline: lease.protectPipeline,
    runId: lease.runId,
    validUntil: lease.validUntil,
  };
}

/** `leasesToFetch`: MinimalRetentionLease objects as JSON, separated by `|` (the REST form of the official clients). */
function minimalLeases(value: string): MinimalRetentionLease[] {
  return value.split('|').map((part) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(part);
    } catch {
      parsed = undefined;
    }
    const lease = parsed as Record<string, unknown> | undefined;
    const valid =
      typeof lease === 'object' &&
      lease !== null &&
      ['definitionId', 'runId'].every((key) => lease[key] === undefined || Number.isInteger(lease[key])) &&
      (lease.ownerId === undefined || typeof lease.ownerId === 'string');
    if (!valid) {
      throw new DomainError(
        'invalidInput',
        'leasesToFetch must be JSON objects {"definitionId":1,"runId":2,"ownerId":"..."} separated by "|".',
      );
    }
    return lease as MinimalRetentionLease;
  });
}

async function listLeases(context: ApiRequestContext<Record<string, string | undefined>, unknown>) {
  const project = requireProject(context, 'Reading retention leases');
  const { query } = context;
  const { retentionLeases } = context.services;
  if (query.leasesToFetch !== undefined) return retentionLeases.findAny(project, minimalLeases(query.leasesToFetch));
  const ownerId = query.ownerId ?? (query.userOwnerId ? `User:${query.userOwnerId}` : undefined);
  if (ownerId === undefined && query.definitionId === undefined && query.runId === undefined) {
    throw new DomainError(
      'invalidInput',
      'Say which leases to read: leasesToFetch, ownerId, userOwnerId, definitionId or runId.',
    );
  }
  return retentionLeases.find(project, {
    ...(ownerId !== undefined && { ownerId }),
    ...(query.definitionId !== undefined && { definitionId: requiredInteger(query.definitionId, 'definitionId') }),
    ...(query.runId !== undefined && { runId: requiredInteger(query.runId, 'runId') }),
  });
}

/** `_apis/build/retention/leases`: the retention leases that replace `keepForever`. */
export const retentionLeasesLocation: ApiLocation = {
  id: '272051e4-9af1-45b5-ae22-8d960a5539d4',
  area: 'build',
  resourceName: 'leases',
  routeTemplate: '{project}/_apis/{area}/retention/{resource}/{*leaseId}',
  ...buildSubresource,
  resourceVersion: 2,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: 'One lease by id, or the leases matching leasesToFetch / ownerId / userOwnerId / definitionId / runId.',
      query: queryParameters('leasesToFetch', 'ownerId', 'userOwnerId', 'definitionId', 'runId'),
      async handler(context) {
        caller(context);
        const project = requireProject(context, 'Reading retention leases');
        const leaseId = optionalInteger(context.routeValues.leaseId, 'leaseId');
        if (leaseId !== undefined) return { body: leaseDocument(await context.services.retentionLeases.get(project, leaseId)) };
        return listOf((await listLeases(context)).map(leaseDocument));
      },
    }),
    POST: operation({
      scopes: ['vso.build_execute'],
      summary: 'Add retention leases: [{definitionId, runId, ownerId, daysValid, protectPipeline}].',
      body: Type.Array(newLease),
      async handler(context) {
        caller(context);
        const project = requireProject(context, 'Adding retention leases');
        if (context.routeValues.leaseId !== undefined) {
          throw new DomainError('invalidInput', 'Add leases by POSTing to {project}/_apis/build/retention/leases.');
        }
        const added = await context.services.retentionLeases.add(project, context.body);
        return listOf(added.map(leaseDocument));
      },
    }),
    PATCH: operation({
      scopes: ['vso.build_execute'],
      summary: 'Change a lease: {daysValid (from now), protectPipeline}.',
      body: leaseUpdate,
      async handler(context) {
        caller(context);
        const project = requireProject(context, 'Updating a retention lease');
        const leaseId = requiredInteger(context.routeValues.leaseId, 'leaseId');
        return { body: leaseDocument(await context.services.retentionLeases.update(project, leaseId, context.body)) };
      },
    }),
    DELETE: operation({
      scopes: ['vso.build_execute'],
      summary: 'Delete leases: ?ids=1,2.',
      query: queryParameters('ids'),
      async handler(context) {
        caller(context);
        const project = requireProject(context, 'Deleting retention leases');
        const ids = context.query.ids ?? context.routeValues.leaseId;
        if (!ids) throw new DomainError('invalidInput', 'Name the leases to delete: ?ids=1,2.');
        await context.services.retentionLeases.remove(project, parseIdList(ids, 'ids'));
        return {};
      },
    }),
  },
};

/** `_apis/build/builds/{buildId}/leases`: the leases that hold one build. */
export const buildLeasesLocation: ApiLocation = {
  id: '3da19a6a-f088-45c4-83ce-2ad3a87be6c4',
  area: 'build',
  resourceName: 'leases',
  routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}',
  ...buildSubresource,
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: 'The retention leases of a build.',
      async handler(context) {
        const { project, build } = await requireBuild(context, 'Reading build leases');
        return listOf((await context.services.retentionLeases.forBuild(project, build.id)).map(leaseDocument));
      },
    }),
  },
};
