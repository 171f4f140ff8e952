import type { FastifyRequest } from 'fastify';
import type { Organization } from '../../domain/entities.js';
import type { CredentialKind, Principal } from '../../domain/principal.js';

/** Why a credential was refused. Each reason maps to one message and one X-VSS-AuthenticateError value. */
export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'invalid'
  | 'expired'
  | 'revoked'
  | 'disabledUser'
  | 'notMember'
  | 'wrongOrganization'
  | 'throttled'
  | 'credentialNotAccepted'
  /** A valid credential whose scopes do not cover the route. */
  | 'insufficientScope';

export interface AuthFailure {
  reason: AuthFailureReason;
  /** Shown to the caller: never echoes the credential. */
  message: string;
  retryAfterSeconds?: number;
}

export type AuthOutcome =
  | { kind: 'none' }
  | { kind: 'principal'; principal: Principal }
  | { kind: 'failure'; failure: AuthFailure };

export interface AuthTarget {
  /** The organization named in the URL, when the route has one. */
  organization?: Organization;
  /** Credential kinds the route accepts (profile and accounts accept OAuth only). */
  accepts?: readonly CredentialKind[];
}

/**
 * Reads one kind of credential. Returns `none` when the request does not carry its kind, so the chain
 * asks the next one; once an authenticator claims a request no other one runs. Never throws for bad input.
 */
export interface Authenticator {
  readonly name: string;
  authenticate(request: FastifyRequest, target: AuthTarget): Promise<AuthOutcome>;
}
