import { describe, expect, it } from 'vitest';
import { type AccessTarget, authorize } from '../../src/domain/authorization.js';
import type { Organization, User } from '../../src/domain/entities.js';
import type { Principal } from '../../src/domain/principal.js';
import { effectiveScopes } from '../../src/domain/scopes.js';

const contoso: Organization = { id: 'org-contoso', name: 'contoso', ownerId: 'u1', createdAt: '2026-01-01T00:00:00.000Z' };
const fabrikam: Organization = { id: 'org-fabrikam', name: 'fabrikam', ownerId: 'u1', createdAt: '2026-01-01T00:00:00.000Z' };
const bob: User = {
  id: 'u2',
  username: 'bob',
  displayName: 'Bob',
  email: null,
  passwordHash: null,
  isAdmin: false,
  disabledAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    user: bob,
    credential: 'pat',
    scopes: effectiveScopes(['vso.build']),
    authorizationId: 'token-1',
    organizationId: contoso.id,
    memberOf: new Set([contoso.id]),
    ...overrides,
  };
}

const buildRead: AccessTarget = { organization: contoso, scopes: ['vso.build'], label: 'GET build/builds' };

describe('the authorization step', () => {
  it('lets a member act with a credential of an accepted kind that carries the scope', () => {
    expect(authorize(principal(), buildRead)).toBeUndefined();
    expect(authorize(principal(), { scopes: ['vso.build'], label: 'at the root' })).toBeUndefined();
  });

  it('refuses a kind of credential the operation does not accept, before anything else', () => {
    const refusal = authorize(principal({ memberOf: new Set(), scopes: effectiveScopes([]) }), {
      ...buildRead,
      accepts: ['oauth'],
    });
    expect(refusal).toEqual({
      reason: 'credentialNotAccepted',
      message: 'This API accepts only OAuth access tokens (Authorization: Bearer); personal access tokens cannot be used here.',
      credential: 'pat',
      authorizationId: 'token-1',
    });
  });

  it('refuses a PAT bound to another organization before asking about membership', () => {
    const refusal = authorize(principal({ memberOf: new Set() }), { ...buildRead, organization: fabrikam });
    expect(refusal?.reason).toBe('wrongOrganization');
    expect(refusal?.message).toBe("TF400813: The Personal Access Token used is not valid for the organization 'fabrikam'.");
  });

  it('refuses a user who is not a member, whatever the credential', () => {
    for (const credential of ['pat', 'oauth', 'password'] as const) {
      const refusal = authorize(principal({ credential, organizationId: null, memberOf: new Set() }), buildRead);
      expect(refusal).toMatchObject({
        reason: 'notMember',
        credential,
        message: "TF400813: The user 'bob' is not authorized to access the organization 'contoso'.",
      });
    }
  });

  it('names the missing scope last, for the credential at hand', () => {
    const refusal = authorize(principal({ credential: 'oauth', authorizationId: 'grant-1', grantedScopes: ['vso.build'] }), {
      ...buildRead,
      scopes: ['vso.project'],
      label: 'GET core/projects',
    });
    expect(refusal).toEqual({
      reason: 'insufficientScope',
      message:
        'Access Denied: this OAuth access token lacks the scope vso.project (Project and team (read)) required for GET core/projects; it grants vso.build.',
      credential: 'oauth',
      authorizationId: 'grant-1',
      detail: { RequiredScopes: ['vso.project'], GrantedScopes: ['vso.build'] },
    });
  });

  it('runs further steps in the order given, so later checks plug in', () => {
    const order: string[] = [];
    const refusal = authorize(principal(), buildRead, [
      () => {
        order.push('first');
        return undefined;
      },
      (who) => {
        order.push('second');
        return { reason: 'invalid', message: 'blocked by policy', credential: who.credential };
      },
      () => {
        order.push('third');
        return undefined;
      },
    ]);
    expect(order).toEqual(['first', 'second']);
    expect(refusal?.message).toBe('blocked by policy');
  });
});
