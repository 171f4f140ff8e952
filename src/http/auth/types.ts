import type { FastifyRequest } from 'fastify';
import type { Refusal } from '../../domain/authorization.js';
import type { Principal } from '../../domain/principal.js';
import type { ParsedAuthorization } from './authorization-header.js';

/** What identification found: no credential of this kind, who the caller is, or why the credential is refused. */
export type AuthOutcome = { kind: 'none' } | { kind: 'principal'; principal: Principal } | { kind: 'failure'; failure: Refusal };

/**
 * Reads one kind of credential and only identifies: who, with which credential and grant, which scopes.
 * Returns `none` when the request does not carry its kind, so the chain asks the next one; once an
 * authenticator claims a request no other one runs. Never throws for bad input.
 */
export interface Authenticator {
  readonly name: string;
  /**
   * `credentials`: the Authorization header, parsed once by the chain; `now`: the request's one clock reading.
   * An outcome known from memory may come back as a value, so a cached credential costs no promise and no tick.
   */
  authenticate(credentials: ParsedAuthorization, request: FastifyRequest, now: Date): AuthOutcome | Promise<AuthOutcome>;
}
