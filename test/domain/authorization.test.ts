import { describe, expect, it } from 'vitest';
import { type AccessTarget, authorize } from '../../src/domain/authorization.js';
import type { Organization, User } from '../../src/domain/entities.js';
import type { Principal } from '../../src/domain/principal.js';
import { effectiveScopes } from '../../src/domain/scopes.js';
import type { PrincipalRestrictions } from '../../src/domain/token-restrictions.js';

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

  it('names the credentials an operation accepts and the one presented, for every kind', () => {
    const kinds = ['pat', 'oauth', 'session', 'password'] as const;
    const words = {
      pat: 'personal access tokens',
      oauth: 'OAuth access tokens (Authorization: Bearer)',
      session: 'a signed-in browser session',
      password: 'user name and password',
    };
    for (const credential of kinds) {
      const others = kinds.filter((kind) => kind !== credential);
      const refusal = authorize(principal({ credential, authorizationId: undefined }), { ...buildRead, accepts: others });
      expect(refusal).toEqual({
        reason: 'credentialNotAccepted',
        message: `This API accepts only ${others.map((kind) => words[kind]).join(' or ')}; ${words[credential]} cannot be used here.`,
        credential,
      });
      // Only a recognised PAT or grant is named back by id.
      expect(refusal).not.toHaveProperty('authorizationId');
    }
  });

  it('names the credential at hand and every scope that would do when a scope is missing', () => {
    const target = { ...buildRead, scopes: ['vso.code', 'vso.unheard_of'], label: 'GET git/repositories' };
    // Without the granted list the refusal names the effective scopes, inherited ones included.
    expect(authorize(principal(), target)?.message).toBe(
      'Access Denied: this personal access token lacks the scope vso.code (Code (read)) or vso.unheard_of (vso.unheard_of) required for GET git/repositories; it grants vso.base vso.build vso.hooks_write vso.hooks vso.profile.',
    );
    expect(authorize(principal({ credential: 'session', scopes: new Set(), authorizationId: undefined }), target)).toEqual({
      reason: 'insufficientScope',
      message:
        'Access Denied: this credential lacks the scope vso.code (Code (read)) or vso.unheard_of (vso.unheard_of) required for GET git/repositories; it grants no scope.',
      credential: 'session',
      detail: { RequiredScopes: ['vso.code', 'vso.unheard_of'], GrantedScopes: [] },
    });
  });

  it('lets a PAT bound to the organization in the URL through, and any PAT at the server root', () => {
    expect(authorize(principal({ organizationId: contoso.id }), buildRead)).toBeUndefined();
    expect(
      authorize(principal({ organizationId: fabrikam.id, memberOf: new Set() }), { scopes: ['vso.build'], label: 'root' }),
    ).toBeUndefined();
  });

  describe('a PAT’s own restrictions, after the scope', () => {
    const unrestricted: PrincipalRestrictions = { projectIds: null, readOnly: false, addresses: null, rateLimit: null };
    const restricted = (restrictions: Partial<PrincipalRestrictions>) =>
      principal({ restrictions: { ...unrestricted, ...restrictions } });
    const inProject = (id: string | null, method = 'GET'): AccessTarget => ({
      ...buildRead,
      method,
      project: { id, name: 'web' },
    });

    it('lets a token without restrictions do anything its scopes allow', () => {
      expect(authorize(restricted({}), { ...buildRead, method: 'DELETE', clientAddress: '10.0.0.1' })).toBeUndefined();
    });

    it('keeps a project-restricted token to its projects, and to reading outside any project', () => {
      const who = restricted({ projectIds: new Set(['p-web', 'p-docs']) });
      expect(authorize(who, inProject('p-web', 'PATCH'))).toBeUndefined();
      expect(authorize(who, { ...buildRead, method: 'HEAD' })).toBeUndefined();
      expect(authorize(who, buildRead)).toBeUndefined();
      expect(authorize(who, inProject('p-api'))).toEqual({
        reason: 'projectRestricted',
        message:
          "Access Denied: this personal access token is restricted to the project ids p-web, p-docs; it may not be used for GET build/builds in the project 'web'.",
        credential: 'pat',
        authorizationId: 'token-1',
        detail: { Restriction: 'project', AllowedProjectIds: ['p-web', 'p-docs'], RequestedProject: 'web' },
      });
      expect(authorize(who, inProject(null))?.reason).toBe('projectRestricted');
      expect(authorize(who, { ...buildRead, method: 'POST', label: 'POST build/builds' })).toEqual({
        reason: 'projectRestricted',
        message:
          'Access Denied: this personal access token is restricted to the project ids p-web, p-docs; outside a project it may only read, not POST build/builds.',
        credential: 'pat',
        authorizationId: 'token-1',
        detail: { Restriction: 'project', AllowedProjectIds: ['p-web', 'p-docs'] },
      });
    });

    it('lets a read-only token read only', () => {
      const who = restricted({ readOnly: true });
      for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(authorize(who, { ...buildRead, method })).toBeUndefined();
      expect(authorize(who, buildRead)).toBeUndefined();
      expect(authorize(who, { ...buildRead, method: 'PATCH', label: 'PATCH build/builds' })).toEqual({
        reason: 'readOnlyRestricted',
        message:
          'Access Denied: this personal access token is read-only (GET, HEAD and OPTIONS); PATCH build/builds needs a token that may write.',
        credential: 'pat',
        authorizationId: 'token-1',
        detail: { Restriction: 'readOnly', AllowedMethods: ['GET', 'HEAD', 'OPTIONS'], RequestedMethod: 'PATCH' },
      });
    });

    it('keeps an address-restricted token to its ranges, and refuses when the address is unknown', () => {
      const addresses = { ranges: ['10.0.0.0/8', '2001:db8::/32'], allows: (address: string) => address.startsWith('10.') };
      const who = restricted({ addresses });
      expect(authorize(who, { ...buildRead, clientAddress: '10.1.2.3' })).toBeUndefined();
      expect(authorize(who, { ...buildRead, clientAddress: '192.0.2.1' })).toEqual({
        reason: 'addressRestricted',
        message:
          'Access Denied: this personal access token may be used only from 10.0.0.0/8, 2001:db8::/32; this request came from 192.0.2.1.',
        credential: 'pat',
        authorizationId: 'token-1',
        detail: { Restriction: 'address', AllowedAddresses: ['10.0.0.0/8', '2001:db8::/32'], ClientAddress: '192.0.2.1' },
      });
      expect(authorize(who, buildRead)).toMatchObject({
        reason: 'addressRestricted',
        message:
          'Access Denied: this personal access token may be used only from 10.0.0.0/8, 2001:db8::/32; this request came from an unknown address.',
        detail: { ClientAddress: null },
      });
    });

    it('refuses a token past its rate only when the window is exceeded, and says when to retry', () => {
      const who = restricted({ rateLimit: { limit: 5, windowSeconds: 60 } });
      expect(
        authorize(who, { ...buildRead, rate: { limit: 5, remaining: 0, resetSeconds: 30, exceeded: false } }),
      ).toBeUndefined();
      expect(authorize(who, { ...buildRead, rate: { limit: 5, remaining: 0, resetSeconds: 30, exceeded: true } })).toEqual({
        reason: 'rateLimited',
        message: 'This personal access token is limited to 5 requests per window; the window starts afresh in 30 seconds.',
        credential: 'pat',
        authorizationId: 'token-1',
        detail: { Restriction: 'rate', Limit: 5, ResetSeconds: 30 },
        retryAfterSeconds: 30,
      });
    });

    it('checks project, then read-only, then address, then rate', () => {
      const everything = restricted({
        projectIds: new Set(['p-web']),
        readOnly: true,
        addresses: { ranges: ['10.0.0.0/8'], allows: () => false },
      });
      const target: AccessTarget = {
        ...inProject('p-api', 'PATCH'),
        rate: { limit: 1, remaining: 0, resetSeconds: 9, exceeded: true },
      };
      expect(authorize(everything, target)?.reason).toBe('projectRestricted');
      expect(authorize(everything, { ...target, project: { id: 'p-web', name: 'web' } })?.reason).toBe('readOnlyRestricted');
      expect(authorize(everything, { ...target, project: { id: 'p-web', name: 'web' }, method: 'GET' })?.reason).toBe(
        'addressRestricted',
      );
    });
  });
});
