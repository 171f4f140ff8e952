import type { AuditOrigin } from '../domain/audit.js';
import type { User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import type { OAuthApp, OAuthGrant } from '../domain/oauth.js';
import type { ServiceContext } from './context.js';

export interface GrantWithApp {
  grant: OAuthGrant;
  app: OAuthApp | undefined;
}

/** Users' consents to apps. Revoking one ends its refresh tokens and, at the next Bearer check, its access tokens. */
export class OAuthGrantService {
  constructor(private readonly context: ServiceContext) {}

  async listForUser(user: User): Promise<GrantWithApp[]> {
    const grants = await this.context.store.oauthGrants.listForUser(user.id);
    const apps = new Map<string, OAuthApp | undefined>();
    for (const grant of grants) {
      if (!apps.has(grant.appId)) apps.set(grant.appId, await this.context.store.oauthApps.findById(grant.appId));
    }
    return grants.map((grant) => ({ grant, app: apps.get(grant.appId) }));
  }

  /** The user's grant, or grantNotFound: other users' grants are indistinguishable from missing ones. */
  async getOwned(user: User, authorizationId: string): Promise<OAuthGrant> {
    const grant = await this.context.store.oauthGrants.findById(authorizationId);
    if (!grant || grant.userId !== user.id) {
      throw new DomainError('grantNotFound', `No OAuth authorization has the id "${authorizationId}".`);
    }
    return grant;
  }

  async revoke(grant: OAuthGrant, origin: AuditOrigin): Promise<void> {
    const revoked = await this.context.store.oauthGrants.revoke(grant.id, this.context.clock.now().toISOString());
    await this.context.credentials.changed('oauth-grants', grant.id);
    if (revoked) this.recordRevocation(grant, await this.context.store.oauthApps.findById(grant.appId), origin);
  }

  /** Revokes every grant the user gave the app; returns how many were still active. */
  async revokeForApp(user: User, app: OAuthApp, origin: AuditOrigin): Promise<number> {
    const revokedAt = this.context.clock.now().toISOString();
    let revoked = 0;
    for (const grant of await this.context.store.oauthGrants.listForUser(user.id)) {
      if (grant.appId === app.id && (await this.context.store.oauthGrants.revoke(grant.id, revokedAt))) {
        revoked++;
        this.recordRevocation(grant, app, origin);
      }
    }
    await this.context.credentials.changed('oauth-grants', app.id);
    return revoked;
  }

  private recordRevocation(grant: OAuthGrant, app: OAuthApp | undefined, origin: AuditOrigin): void {
    this.context.audit.record({
      action: 'oauth.revoked',
      origin,
      grant: { id: grant.id, appId: grant.appId, appName: app?.name ?? grant.appId, userId: grant.userId, scopes: grant.scopes },
    });
  }
}
