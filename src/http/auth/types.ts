import type { FastifyRequest } from 'fastify';
import type { Refusal } from '../../domain/authorization.js';
import type { Principal } from '../../domain/principal.js';

/** What identification found: no credential of this kind, who the caller is, or why the credential is refused. */
export type AuthOutcome = { kind: 'none' } | { kind: 'principal'; principal: Principal } | { kind: 'failure'; failure: Refusal };

/**
 * Reads one kind of credential and only identifies: who, with which credential and grant, which scopes.
 * Returns `none` when the request does not carry its kind, so the chain asks the next one; once an
 * authenticator claims a request no other one runs. Never throws for bad input.
 */
export interface Authenticator {
  readonly name: string;
  authenticate(request: FastifyRequest): Promise<AuthOutcome>;
}
