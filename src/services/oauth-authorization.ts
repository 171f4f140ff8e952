import { randomBytes } from 'node:crypto';
import type { AuditOrigin } from '../domain/audit.js';
import type { User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { type OAuthApp, type OAuthErrorCode, type OAuthGrant, scopesBeyond } from '../domain/oauth.js';
import { findScope, parseScopes } from '../domain/scopes.js';
import type { ServiceContext } from './context.js';
import type { OAuthAppService } from './oauth-apps.js';
import type { TokenHasher } from './token-hasher.js';

/** The query of `GET /oauth2/authorize`, as received. */
export interface AuthorizeParams {
  clientId?: string | undefined;
  redirectUri?: string | undefined;
  /** `Assertion` (Azure DevOps) or `code` (standard). */
  responseType?: string | undefined;
  scope?: string | undefined;
  state?: string | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: string | undefined;
}

/** A request that passed every check: the consent page shows it, `approve` and `deny` answer it. */
export interface AuthorizeRequest {
  app: OAuthApp;
  redirectUri: string;
  responseType: 'Assertion' | 'code';
  scopes: readonly string[];
  state: string | undefined;
  codeChallenge: string | undefined;
}

export interface ScopeDescription {
  id: string;
  title: string;
  area: string;
  highPrivilege: boolean;
}

export interface AppDescription {
  id: string;
  name: string;
  company: string;
  website: string;
  description: string;
}

export type AuthorizeValidation =
  | { ok: true; request: AuthorizeRequest; app: AppDescription; scopes: ScopeDescription[] }
  /** The client or its redirect URI cannot be trusted: show the error, never redirect. */
  | { ok: false; error: OAuthErrorCode; description: string; redirect: false }
  /** A trusted redirect URI: send the user back with the error. */
  | { ok: false; error: OAuthErrorCode; description: string; redirect: true; redirectTo: string };

export interface AuthorizationPolicy {
  codeLifetimeSeconds: number;
}

const s256Challenge = /^[A-Za-z0-9_-]{43}$/;
const maxStateLength = 2000;
/** Used codes are kept a day past expiry so a replay is still recognised (and revokes the grant). */
const codeRetentionMs = 86_400_000;

function describeScope(id: string): ScopeDescription {
  const scope = findScope(id);
  return { id, title: scope?.title ?? id, area: scope?.area ?? '', highPrivilege: scope?.highPrivilege ?? false };
}

function withParams(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** The authorize step: checks a request, and turns the user's answer into a redirect with a code or an error. */
export class OAuthAuthorizationService {
  constructor(
    private readonly context: ServiceContext,
    private readonly apps: OAuthAppService,
    private readonly hasher: TokenHasher,
    private readonly policy: AuthorizationPolicy,
    private readonly random: (size: number) => Uint8Array = randomBytes,
  ) {}

  async validateAuthorizeRequest(params: AuthorizeParams): Promise<AuthorizeValidation> {
    const app = params.clientId ? await this.apps.find(params.clientId) : undefined;
    if (!app)
      return { ok: false, error: 'invalid_request', description: 'The client_id is missing or unknown.', redirect: false };
    const redirectUri = params.redirectUri;
    if (!redirectUri || !app.callbackUrls.includes(redirectUri)) {
      return {
        ok: false,
        error: 'invalid_request',
        description: 'The redirect_uri is missing or is not a callback URL registered for this app.',
        redirect: false,
      };
    }
    const refuse = (error: OAuthErrorCode, description: string): AuthorizeValidation => ({
      ok: false,
      error,
      description,
      redirect: true,
      redirectTo: withParams(redirectUri, { error, error_description: description, state: params.state }),
    });
    const responseType = params.responseType?.toLowerCase() === 'assertion' ? 'Assertion' : params.responseType;
    if (responseType !== 'Assertion' && responseType !== 'code') {
      return refuse('unsupported_response_type', 'The response_type must be Assertion or code.');
    }
    if (params.state !== undefined && params.state.length > maxStateLength) {
      return refuse('invalid_request', `The state must be at most ${maxStateLength} characters.`);
    }
    let scopes: string[];
    try {
      scopes = params.scope?.trim() ? parseScopes(params.scope) : [...app.scopes];
    } catch (error) {
      if (error instanceof DomainError) return refuse('invalid_scope', error.message);
      throw error;
    }
    const beyond = scopesBeyond(scopes, app.scopes);
    if (beyond.length > 0) return refuse('invalid_scope', `The app is not registered for: ${beyond.join(', ')}.`);
    if (params.codeChallengeMethod !== undefined && params.codeChallenge === undefined) {
      return refuse('invalid_request', 'A code_challenge_method needs a code_challenge.');
    }
    if (app.isPublic && params.codeChallenge === undefined) {
      return refuse('invalid_request', 'This app is a public client: a code_challenge (PKCE, S256) is required.');
    }
    if (params.codeChallenge !== undefined) {
      if (params.codeChallengeMethod !== 'S256') return refuse('invalid_request', 'The code_challenge_method must be S256.');
      if (!s256Challenge.test(params.codeChallenge)) {
        return refuse('invalid_request', 'The code_challenge must be 43 base64url characters (an S256 digest).');
      }
    }
    return {
      ok: true,
      request: { app, redirectUri, responseType, scopes, state: params.state, codeChallenge: params.codeChallenge },
      app: { id: app.id, name: app.name, company: app.company, website: app.website, description: app.description },
      scopes: scopes.map(describeScope),
    };
  }

  /** The user consented: records the grant and sends them back with a single-use code. */
  async approve(
    user: User,
    request: AuthorizeRequest,
    origin: AuditOrigin = { actor: { userId: user.id, name: user.username }, via: 'page' },
  ): Promise<{ redirectTo: string; grant: OAuthGrant }> {
    if (user.disabledAt) throw new DomainError('userDisabled', `User "${user.username}" is disabled.`);
    const now = this.context.clock.now();
    const grant: OAuthGrant = {
      id: this.context.newId(),
      appId: request.app.id,
      userId: user.id,
      scopes: request.scopes,
      createdAt: now.toISOString(),
      revokedAt: null,
    };
    const code = Buffer.from(this.random(32)).toString('base64url');
    await this.context.store.transaction(async (repositories) => {
      await repositories.oauthGrants.insert(grant);
      await repositories.oauthGrants.insertCode({
        codeHash: this.hasher.hash(code),
        grantId: grant.id,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge ?? null,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + this.policy.codeLifetimeSeconds * 1000).toISOString(),
        usedAt: null,
      });
    });
    this.context.audit.record({
      action: 'oauth.granted',
      origin,
      grant: { id: grant.id, appId: request.app.id, appName: request.app.name, userId: user.id, scopes: grant.scopes },
    });
    await this.context.store.oauthGrants.deleteCodesExpiredBefore(new Date(now.getTime() - codeRetentionMs).toISOString());
    return { redirectTo: withParams(request.redirectUri, { code, state: request.state }), grant };
  }

  /** The user declined: back to the app with `access_denied`. */
  deny(request: AuthorizeRequest): { redirectTo: string } {
    return {
      redirectTo: withParams(request.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied the request.',
        state: request.state,
      }),
    };
  }
}
