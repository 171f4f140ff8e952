import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';
import {
  type AccessTarget,
  type AuthorizationStep,
  authorizationSteps,
  authorize,
  type Refusal,
} from '../../domain/authorization.js';
import type { Principal } from '../../domain/principal.js';
import { setUserDataHeader } from '../ado-headers.js';
import { baseUrl } from '../base-url.js';
import type { AuthChain } from './chain.js';
import { sendRefusal } from './failure.js';

export interface GateTarget extends AccessTarget {
  /** Callers without credentials are served too (credentials, when sent, are still checked). */
  anonymous?: boolean;
}

/** The caller (undefined only when anonymous calls are allowed), or the refusal already sent. */
export type Admission = { principal: Principal | undefined } | { answered: FastifyReply };

const missing: Refusal = {
  reason: 'missing',
  message: 'TF400813: Resource not available for anonymous access. Client authentication required.',
};

/**
 * Where a request's credential is identified (the chain) and then authorized (the domain's steps, in order),
 * and where every refusal is logged, once, and answered as Azure DevOps does (401/203/429).
 */
export class AccessGate {
  constructor(
    private readonly chain: AuthChain,
    private readonly config: Pick<Config, 'publicUrl' | 'anonymous'>,
    private readonly steps: readonly AuthorizationStep[] = authorizationSteps,
  ) {}

  async admit(request: FastifyRequest, reply: FastifyReply, target: GateTarget): Promise<Admission> {
    const outcome = await this.chain.authenticate(request);
    if (outcome.kind === 'none') {
      return target.anonymous ? { principal: undefined } : { answered: this.refuse(request, reply, missing) };
    }
    if (outcome.kind === 'failure') return { answered: this.refuse(request, reply, outcome.failure) };
    const { principal } = outcome;
    const refusal = authorize(principal, target, this.steps);
    // The user is named back only to a caller who may act in this organization, even if its scopes fall short.
    if (!refusal || refusal.reason === 'insufficientScope') setUserDataHeader(reply, principal);
    if (refusal) return { answered: this.refuse(request, reply, refusal) };
    if (principal.policyWarning) reply.header('x-lapis-policy-warning', principal.policyWarning);
    return { principal };
  }

  private refuse(request: FastifyRequest, reply: FastifyReply, refusal: Refusal): FastifyReply {
    request.log.info(
      { reason: refusal.reason, credential: refusal.credential, authorizationId: refusal.authorizationId },
      'access refused',
    );
    return sendRefusal(request, reply, refusal, {
      baseUrl: baseUrl(request, this.config.publicUrl),
      anonymous: this.config.anonymous,
    });
  }
}
