import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { systemActor } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import { type OAuthApp, OAuthError, type OAuthGrant, type OAuthRefreshToken, scopesBeyond } from '../domain/oauth.js';
import { parseScopes } from '../domain/scopes.js';
import type { AccessTokens } from './access-tokens.js';
import type { ServiceContext } from './context.js';
import type { FailureThrottle } from './failure-throttle.js';
import type { OAuthAppService } from './oauth-apps.js';
import type { OAuthGrantService } from './oauth-grants.js';
import type { TokenHasher } from './token-hasher.js';

/** What the client presented to prove who it is; the HTTP layer collects it from wherever the form put it. */
export interface ClientCredentials {
  clientId?: string | undefined;
  /** `client_secret`, the HTTP Basic password, or the Azure DevOps `client_assertion`. */
  secret?: string | undefined;
}

export interface CodeExchange {
  client: ClientCredentials;
  code: string;
  redirectUri: string;
  codeVerifier?: string | undefined;
  /** The server's base URL, written into the access token. */
  issuer: string;
}

export interface RefreshExchange {
  client: ClientCredentials;
  refreshToken: string;
  /** A subset of the grant's scopes for the new access token; all of them when absent. */
  scope?: string | undefined;
  issuer: string;
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  scopes: readonly string[];
  authorizationId: string;
}

export interface RefreshTokenPolicy {
  refreshTokenLifetimeDays: number;
  /** How long after a refresh the same refresh token may be presented again for the same answer; 0: never. */
  refreshRetrySeconds: number;
  /** Counts wrong secrets per app; past its limit the app's exchanges are refused until its window ends. */
  clientThrottle?: FailureThrottle;
}

interface AuthenticatedClient {
  app: OAuthApp;
  /** False for a public client that proved possession with PKCE instead of a secret. */
  withSecret: boolean;
}

const dayMs = 86_400_000;
/** The key purpose for deriving a refresh token's successor from it (see refresh()). */
const successorPurpose = 'oauth refresh successor';
const codeVerifierShape = /^[A-Za-z0-9._~-]{43,128}$/;

function s256(verifier: string): Buffer {
  return createHash('sha256').update(verifier, 'ascii').digest();
}

/**
 * The token endpoint's rules. Each exchange is a short list of named steps, in the order they run:
 * load what was presented, authenticate the client against it, check it, use it up, issue tokens.
 * Refusals are thrown as OAuthError; a replayed code or refresh token revokes the whole grant first.
 * Spending a code or refresh token and storing the refresh token that replaces it happen in one transaction:
 * an interrupted exchange leaves either both or neither, never a grant whose only refresh token is spent.
 */
export class OAuthTokenService {
  constructor(
    private readonly context: ServiceContext,
    private readonly apps: OAuthAppService,
    private readonly grants: OAuthGrantService,
    private readonly hasher: TokenHasher,
    private readonly accessTokens: AccessTokens,
    private readonly policy: RefreshTokenPolicy,
    private readonly random: (size: number) => Uint8Array = randomBytes,
  ) {}

  async exchangeCode(request: CodeExchange): Promise<IssuedTokens> {
    const code = await this.loadCode(request.code);
    const grant = await this.loadGrant(code.grantId);
    const client = await this.authenticateClient(request.client, grant, code.codeChallenge !== null);
    this.checkRedirectUri(code.redirectUri, request.redirectUri);
    this.checkCodeVerifier(code.codeChallenge, request.codeVerifier);
    if (code.usedAt !== null) throw await this.revokeForReplay(grant, 'code');
    await this.checkUsable(grant, code.expiresAt, 'code');
    const refreshToken = Buffer.from(this.random(32)).toString('base64url');
    const record = this.refreshTokenRecord(grant, refreshToken, client.withSecret);
    const exchanged = await this.context.store.transaction(async (repositories) => {
      if (!(await repositories.oauthGrants.useCode(code.codeHash, record.createdAt))) return false;
      await repositories.oauthGrants.insertRefreshToken(record);
      return true;
    });
    // Losing the race to a concurrent use of the same code is a replay too.
    if (!exchanged) throw await this.revokeForReplay(grant, 'code');
    return this.issue(grant, client.app, grant.scopes, refreshToken, request.issuer);
  }

  /**
   * Rotates the refresh token. The successor is derived from the presented token with a key of the server's
   * (TokenHasher.derive), so a client that lost the answer and asks again within the retry window gets the
   * same successor without the plaintext ever being stored (RFC 9700 §4.14.2 allows the grace period).
   */
  async refresh(request: RefreshExchange): Promise<IssuedTokens> {
    const token = await this.loadRefreshToken(request.refreshToken);
    const grant = await this.loadGrant(token.grantId);
    const client = await this.authenticateClient(request.client, grant, true);
    const successor = this.hasher.derive(successorPurpose, request.refreshToken);
    if (token.usedAt !== null) {
      await this.acceptRetry(token.usedAt, grant, successor);
      return this.issue(grant, client.app, this.narrowScopes(grant, request.scope), successor, request.issuer);
    }
    await this.checkUsable(grant, token.expiresAt, 'refresh token');
    const scopes = this.narrowScopes(grant, request.scope);
    const record = this.refreshTokenRecord(grant, successor, token.clientAuthenticated);
    const rotated = await this.context.store.transaction(async (repositories) => {
      if (!(await repositories.oauthGrants.useRefreshToken(token.tokenHash, record.createdAt))) return false;
      await repositories.oauthGrants.insertRefreshToken(record);
      return true;
    });
    // A concurrent request with the same token rotated it first: judged like any later presentation.
    if (!rotated) await this.acceptRetry(record.createdAt, grant, successor);
    return this.issue(grant, client.app, scopes, successor, request.issuer);
  }

  private async loadCode(text: string) {
    const hash = this.hasher.hash(text);
    const code = await this.context.store.oauthGrants.findCode(hash);
    if (!code || !this.hasher.matches(code.codeHash, hash)) throw new OAuthError('invalid_grant', 'The code is not valid.');
    return code;
  }

  private async loadRefreshToken(text: string) {
    const hash = this.hasher.hash(text);
    const token = await this.context.store.oauthGrants.findRefreshToken(hash);
    if (!token || !this.hasher.matches(token.tokenHash, hash)) {
      throw new OAuthError('invalid_grant', 'The refresh token is not valid.');
    }
    return token;
  }

  private async loadGrant(id: string): Promise<OAuthGrant> {
    const grant = await this.context.store.oauthGrants.findById(id);
    if (!grant) throw new OAuthError('invalid_grant', 'The authorization no longer exists.');
    return grant;
  }

  /**
   * A confidential app must present its secret, PKCE or not. A public app (a registration choice) must
   * not present one, and is accepted on its client_id only where possession is proven otherwise: a
   * code bound to a PKCE challenge, or a refresh token issued to it.
   */
  private async authenticateClient(
    credentials: ClientCredentials,
    grant: OAuthGrant,
    possessionProven: boolean,
  ): Promise<AuthenticatedClient> {
    const app = await this.apps.find(grant.appId);
    if (!app) throw new OAuthError('invalid_grant', 'The app has been removed.');
    if (credentials.clientId !== undefined && credentials.clientId.toLowerCase() !== app.id) {
      throw new OAuthError('invalid_grant', 'The grant was issued to another client.');
    }
    if (app.isPublic) {
      if (credentials.secret !== undefined) {
        throw new OAuthError('invalid_client', 'Client authentication failed: this app is a public client and has no secret.');
      }
      if (credentials.clientId === undefined) {
        throw new OAuthError('invalid_client', 'Client authentication failed: the client_id is required.');
      }
      if (!possessionProven) throw new OAuthError('invalid_grant', 'A public client must use PKCE (code_challenge).');
      return { app, withSecret: false };
    }
    if (credentials.secret !== undefined) {
      const throttle = this.policy.clientThrottle;
      const key = `client:${app.id}`;
      // Judged before the secret: a right guess past the limit must not be told apart from a wrong one.
      const verdict = await throttle?.checkAcrossInstances(key);
      if (verdict?.blocked) {
        throw new OAuthError(
          'invalid_client',
          `Too many failed client authentications for this app. Try again in ${verdict.retryAfterSeconds} seconds.`,
          verdict.retryAfterSeconds,
        );
      }
      if (!this.apps.secretMatches(app, credentials.secret)) {
        await throttle?.recordFailure(key);
        throw new OAuthError('invalid_client', 'Client authentication failed.');
      }
      return { app, withSecret: true };
    }
    throw new OAuthError('invalid_client', 'Client authentication failed: the client secret is required.');
  }

  private checkRedirectUri(issuedFor: string, presented: string): void {
    if (issuedFor !== presented) {
      throw new OAuthError('invalid_grant', 'The redirect_uri does not match the one the code was issued for.');
    }
  }

  private checkCodeVerifier(challenge: string | null, verifier: string | undefined): void {
    if (challenge === null) {
      if (verifier !== undefined) throw new OAuthError('invalid_grant', 'The code was issued without a code_challenge.');
      return;
    }
    if (verifier === undefined) throw new OAuthError('invalid_grant', 'The code_verifier is required for this code.');
    const expected = Buffer.from(challenge, 'base64url');
    const valid = codeVerifierShape.test(verifier) && expected.length === 32 && timingSafeEqual(s256(verifier), expected);
    if (!valid) throw new OAuthError('invalid_grant', 'The code_verifier does not match the code_challenge.');
  }

  /** A used code or refresh token presented again means one copy was stolen: end everything issued from the grant. */
  private async revokeForReplay(grant: OAuthGrant, what: string): Promise<OAuthError> {
    // Lapis itself revokes: the replay is the event, not a person's choice.
    await this.grants.revoke(grant, { actor: systemActor, via: 'api' });
    return new OAuthError('invalid_grant', `The ${what} was already used; the authorization has been revoked.`);
  }

  /**
   * A spent refresh token presented again is a client retrying only while the window since it was spent is
   * open and its successor is still unused; anything else is a replay.
   */
  private async acceptRetry(usedAt: string, grant: OAuthGrant, successorText: string): Promise<void> {
    const elapsedMs = this.context.clock.now().getTime() - Date.parse(usedAt);
    const windowMs = this.policy.refreshRetrySeconds * 1000;
    const successor =
      windowMs > 0 && elapsedMs <= windowMs
        ? await this.context.store.oauthGrants.findRefreshToken(this.hasher.hash(successorText))
        : undefined;
    if (!successor || successor.grantId !== grant.id || successor.usedAt !== null) {
      throw await this.revokeForReplay(grant, 'refresh token');
    }
    await this.checkUsable(grant, successor.expiresAt, 'refresh token');
  }

  private async checkUsable(grant: OAuthGrant, expiresAt: string, what: string): Promise<void> {
    if (Date.parse(expiresAt) <= this.context.clock.now().getTime())
      throw new OAuthError('invalid_grant', `The ${what} has expired.`);
    if (grant.revokedAt) throw new OAuthError('invalid_grant', 'The authorization has been revoked.');
    const user = await this.context.store.users.findById(grant.userId);
    if (!user || user.disabledAt) throw new OAuthError('invalid_grant', 'The user who authorized the app is disabled.');
  }

  private narrowScopes(grant: OAuthGrant, requested: string | undefined): readonly string[] {
    if (requested === undefined || requested.trim() === '') return grant.scopes;
    let scopes: string[];
    try {
      scopes = parseScopes(requested);
    } catch (error) {
      if (error instanceof DomainError) throw new OAuthError('invalid_scope', error.message);
      throw error;
    }
    const beyond = scopesBeyond(scopes, grant.scopes);
    if (beyond.length > 0) throw new OAuthError('invalid_scope', `The authorization does not include: ${beyond.join(', ')}.`);
    return scopes;
  }

  private refreshTokenRecord(grant: OAuthGrant, text: string, clientAuthenticated: boolean): OAuthRefreshToken {
    const now = this.context.clock.now();
    return {
      tokenHash: this.hasher.hash(text),
      grantId: grant.id,
      clientAuthenticated,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.policy.refreshTokenLifetimeDays * dayMs).toISOString(),
      usedAt: null,
    };
  }

  private async issue(
    grant: OAuthGrant,
    app: OAuthApp,
    scopes: readonly string[],
    refreshToken: string,
    issuer: string,
  ): Promise<IssuedTokens> {
    const access = await this.accessTokens.sign({
      issuer,
      userId: grant.userId,
      appId: app.id,
      authorizationId: grant.id,
      scopes,
    });
    return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken, scopes, authorizationId: grant.id };
  }
}
