import { randomBytes } from 'node:crypto';
import type { User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { isGuid } from '../domain/guid.js';
import { type OAuthApp, scopesBeyond, validateAppText, validateCallbackUrl, validateWebsite } from '../domain/oauth.js';
import { parseScopes } from '../domain/scopes.js';
import type { ServiceContext } from './context.js';
import type { TokenHasher } from './token-hasher.js';

export interface NewOAuthApp {
  owner: User;
  name: string;
  company?: string | undefined;
  website?: string | undefined;
  description?: string | undefined;
  callbackUrls: readonly string[];
  /** Space-separated scope ids the app may ask for. */
  scope: string;
}

export interface AppChanges {
  callbackUrls?: readonly string[] | undefined;
  /** Space-separated scope ids. */
  scope?: string | undefined;
}

export interface AppWithSecret {
  app: OAuthApp;
  /** The client secret. Returned once; only its keyed hash is stored. */
  secret: string;
}

/** Registered OAuth applications: their details, callback URLs, scopes and client secret. */
export class OAuthAppService {
  constructor(
    private readonly context: ServiceContext,
    private readonly hasher: TokenHasher,
    private readonly random: (size: number) => Uint8Array = randomBytes,
  ) {}

  /** A confidential client: it gets a client secret, returned once, and must present it at the token endpoint. */
  async register(input: NewOAuthApp): Promise<AppWithSecret> {
    const secret = this.newSecret();
    return { app: await this.create(input, secret, false), secret };
  }

  /**
   * A public client (a native or single-page app that cannot keep a secret): it proves itself with PKCE
   * alone and is refused if it presents a secret. The stored hash is of a secret nobody is ever shown.
   */
  registerPublic(input: NewOAuthApp): Promise<OAuthApp> {
    return this.create(input, this.newSecret(), true);
  }

  private async create(input: NewOAuthApp, secret: string, isPublic: boolean): Promise<OAuthApp> {
    if (input.owner.disabledAt) throw new DomainError('userDisabled', `User "${input.owner.username}" is disabled.`);
    if (input.callbackUrls.length === 0) throw new DomainError('invalidInput', 'An app needs at least one callback URL.');
    const now = this.context.clock.now().toISOString();
    const app: OAuthApp = {
      id: this.context.newId(),
      ownerId: input.owner.id,
      name: validateAppText('App name', input.name, { max: 100, required: true }),
      company: validateAppText('Company name', input.company ?? '', { max: 100 }),
      website: validateWebsite((input.website ?? '').trim()),
      description: validateAppText('Description', input.description ?? '', { max: 1000, multiline: true }),
      callbackUrls: [...new Set(input.callbackUrls.map((url) => validateCallbackUrl(url.trim())))],
      scopes: parseScopes(input.scope),
      secretHash: this.hasher.hash(secret),
      secretCreatedAt: now,
      createdAt: now,
      isPublic,
    };
    await this.context.store.oauthApps.insert(app);
    return app;
  }

  /** The app with that App ID, or undefined (also for text that is not a GUID). */
  async find(id: string): Promise<OAuthApp | undefined> {
    if (!isGuid(id)) return undefined;
    return this.context.store.oauthApps.findById(id);
  }

  async get(id: string): Promise<OAuthApp> {
    const app = await this.find(id);
    if (!app) throw new DomainError('appNotFound', `No OAuth application has the App ID "${id}".`);
    return app;
  }

  list(owner?: User): Promise<OAuthApp[]> {
    return this.context.store.oauthApps.list(owner?.id);
  }

  /** A new client secret; the old one stops working at once. */
  async rotateSecret(app: OAuthApp): Promise<AppWithSecret> {
    if (app.isPublic) throw new DomainError('invalidInput', 'A public client has no client secret to rotate.');
    const secret = this.newSecret();
    const secretHash = this.hasher.hash(secret);
    const secretCreatedAt = this.context.clock.now().toISOString();
    await this.context.store.oauthApps.setSecretHash(app.id, secretHash, secretCreatedAt);
    return { app: { ...app, secretHash, secretCreatedAt }, secret };
  }

  /**
   * New callback URLs and scopes for a registered app. Authorizations that hold a scope the app may no
   * longer ask for are revoked (their users authorize again), so narrowing an app narrows its access at once.
   */
  async edit(app: OAuthApp, changes: AppChanges): Promise<{ app: OAuthApp; revokedGrants: number }> {
    const callbackUrls = changes.callbackUrls
      ? [...new Set(changes.callbackUrls.map((url) => validateCallbackUrl(url.trim())))]
      : app.callbackUrls;
    if (callbackUrls.length === 0) throw new DomainError('invalidInput', 'An app needs at least one callback URL.');
    const scopes = changes.scope === undefined ? app.scopes : parseScopes(changes.scope);
    const now = this.context.clock.now().toISOString();
    const revokedGrants = await this.context.store.transaction(async (repositories) => {
      await repositories.oauthApps.setCallbacksAndScopes(app.id, callbackUrls, scopes);
      let revoked = 0;
      for (const grant of await repositories.oauthGrants.listActiveForApp(app.id)) {
        if (scopesBeyond(grant.scopes, scopes).length === 0) continue;
        if (await repositories.oauthGrants.revoke(grant.id, now)) revoked++;
      }
      return revoked;
    });
    if (revokedGrants > 0) await this.context.credentials.changed('oauth-grants', app.id);
    return { app: { ...app, callbackUrls, scopes }, revokedGrants };
  }

  /** Removes the app and every grant, code and refresh token issued to it; its access tokens stop at once. */
  async remove(app: OAuthApp): Promise<void> {
    await this.context.store.oauthApps.delete(app.id);
    await this.context.credentials.changed('oauth-grants', app.id);
  }

  secretMatches(app: OAuthApp, secret: string): boolean {
    return this.hasher.matches(app.secretHash, this.hasher.hash(secret));
  }

  private newSecret(): string {
    return Buffer.from(this.random(32)).toString('base64url');
  }
}
