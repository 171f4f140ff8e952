import { describe, expect, it } from 'vitest';
import { apiLocations } from '../../../src/http/api/areas/index.js';
import { type ApiLocation, ApiRegistry, operation, rootOperation } from '../../../src/http/api/registry.js';

function location(overrides: Partial<ApiLocation>): ApiLocation {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    area: 'things',
    resourceName: 'widgets',
    routeTemplate: '{project}/_apis/{area}/{resource}/{widgetId}',
    minVersion: '1.0',
    maxVersion: '7.1',
    releasedVersion: '7.1',
    resourceVersion: 1,
    operations: { GET: operation({ scopes: ['vso.build'], summary: 'x', handler: async () => ({ body: {} }) }) },
    ...overrides,
  };
}

describe('API location registry (boot-time checks)', () => {
  it('accepts every shipped area', () => {
    const registry = new ApiRegistry(apiLocations);
    expect(registry.serverMax).toMatchObject({ major: 7, minor: 2 });
    expect(registry.routes.map((r) => r.path)).toContain('/:organization/:project/_apis/build/builds/:buildId');
    expect(registry.routes.map((r) => r.path)).toContain('/:organization/_apis/build/builds');
    expect(registry.routes.map((r) => r.path)).not.toContain('/:organization/_apis/build/definitions');
  });

  it('fails on a location served at the root whose handlers expect an organization', () => {
    const atRoot = { hosts: ['organization', 'deployment'] as const, routeTemplate: '_apis/{area}/{resource}' };
    expect(() => new ApiRegistry([location(atRoot)])).toThrowError(
      /GET things\/widgets is served at the root: declare it with rootOperation/,
    );
    const declared = {
      GET: rootOperation({
        scopes: ['vso.build'],
        summary: 'x',
        handler: async ({ organization }) => ({ body: organization?.name }),
      }),
    };
    expect(() => new ApiRegistry([location({ ...atRoot, operations: declared })])).not.toThrow();
  });

  it('fails on a duplicate location id', () => {
    expect(() => new ApiRegistry([location({}), location({ resourceName: 'gadgets' })])).toThrowError(
      /Duplicate API location id 11111111-1111-4111-8111-111111111111/,
    );
  });

  it('fails when two templates serve the same path', () => {
    const other = location({
      id: '22222222-2222-4222-8222-222222222222',
      routeTemplate: '{project}/_apis/things/widgets/{otherId}',
    });
    expect(() => new ApiRegistry([location({}), other])).toThrowError(/Route templates overlap/);
  });

  it('fails on a verb without a declared scope, and on unknown scopes', () => {
    const unscoped = location({
      operations: { POST: operation({ scopes: [], summary: 'x', handler: async () => ({}) }) },
    });
    expect(() => new ApiRegistry([unscoped])).toThrowError(/POST things\/widgets .* declares no required scope/);
    const unknown = location({
      operations: { GET: operation({ scopes: ['vso.nothing'], summary: 'x', handler: async () => ({}) }) },
    });
    expect(() => new ApiRegistry([unknown])).toThrowError(/unknown scope vso.nothing/);
  });

  it('fails on malformed versions', () => {
    expect(() => new ApiRegistry([location({ maxVersion: '7' })])).toThrowError(/not a major.minor version/);
    expect(() => new ApiRegistry([location({ releasedVersion: '7.2' })])).toThrowError(/released <= max/);
  });
});
