import { createHash } from 'node:crypto';
import { type AuditOrigin, auditedToken } from '../domain/audit.js';
import type { PersonalAccessToken, User } from '../domain/entities.js';
import {
  graceEnd,
  graceSeconds,
  idempotencyKey,
  idempotencyKeyReused,
  replayWindowMs,
  type TokenRotation,
  tokenAlreadyRotated,
} from '../domain/token-rotation.js';
import { DuplicateKeyError } from '../storage/ports.js';
import type { ServiceContext } from './context.js';
import type { SecretBox } from './secret-box.js';
import type { TokenService } from './tokens.js';
import type { WebhookService } from './webhooks.js';

export interface RotateRequest {
  /** The caller's own token, already looked up (not found for anyone else). */
  token: PersonalAccessToken;
  user: User;
  /** 0 (the old token stops at once) to 7 days. */
  graceSeconds: unknown;
  /** A client's Idempotency-Key: the same key and request get the same successor for 24 hours. */
  idempotencyKey?: string | undefined;
  origin?: AuditOrigin | undefined;
}

export interface RotationResult {
  rotation: TokenRotation;
  successor: PersonalAccessToken;
  /** The successor's text: on the first answer, and on replays within the replay window while it is not revoked. */
  text: string | null;
  /** True when an earlier request with the same Idempotency-Key made this successor. */
  replayed: boolean;
}

/** Rotated tokens whose end is recorded per sweep; the rest wait for the next one. */
const sweepBatch = 100;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Rotation without downtime. The successor, the rotation row and the old token's shortened end are written in
 * one transaction, so two rotations racing leave one successor (the row's key on the old token); the old token's
 * new end travels to every instance with the change notice, and each checks expiry on every request.
 */
export class TokenRotationService {
  constructor(
    private readonly context: ServiceContext,
    private readonly tokens: TokenService,
    private readonly box: SecretBox,
    private readonly webhooks: WebhookService,
  ) {}

  async rotate(request: RotateRequest): Promise<RotationResult> {
    const { token, user } = request;
    const grace = graceSeconds(request.graceSeconds);
    const keyHash = request.idempotencyKey === undefined ? null : sha256(idempotencyKey(request.idempotencyKey));
    const requestHash = sha256(`${token.id}\n${grace}`);
    const now = this.context.clock.now();
    await this.context.store.tokenRotations.forgetReplays(now.toISOString());
    const earlier = await this.earlier(user, token, keyHash, requestHash);
    if (earlier) return earlier;

    const origin = request.origin ?? { actor: { userId: user.id, name: user.username }, via: 'api' };
    const created = await this.tokens.successorOf(token, user, origin);
    const graceEndsAt = graceEnd(now, grace, token.validTo);
    const rotation: TokenRotation = {
      tokenId: token.id,
      successorId: created.token.id,
      userId: user.id,
      idempotencyKeyHash: keyHash,
      requestHash,
      graceSeconds: grace,
      graceEndsAt,
      successorSealed: keyHash === null ? null : this.box.seal(created.text),
      replayUntil: new Date(now.getTime() + replayWindowMs).toISOString(),
      createdAt: now.toISOString(),
      // Without grace the old token is revoked below: that revocation is its end.
      endedAt: grace === 0 ? now.toISOString() : null,
    };
    try {
      await this.context.store.transaction(async (repositories) => {
        await repositories.tokens.insert(created.token);
        await repositories.tokenRotations.insert(rotation);
        await repositories.tokens.update(token.id, { validTo: graceEndsAt });
        await repositories.changes.publish('tokens', token.id);
      });
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      // Another request got there first (the same key, or the same token): answer as if it had come before.
      const raced = await this.earlier(user, token, keyHash, requestHash);
      if (raced) return raced;
      throw error;
    }
    this.context.credentials.changedHere('tokens', token.id);
    this.context.audit.record({
      action: 'token.rotated',
      origin,
      token: auditedToken(token),
      successorId: created.token.id,
      graceSeconds: grace,
      graceEndsAt,
    });
    if (grace === 0) await this.tokens.revoke({ ...token, validTo: graceEndsAt }, origin);
    await this.webhooks.emit(await this.webhooks.organizationsOf(token), 'token.rotated', {
      token: await this.webhooks.tokenFacts(token),
      successor: { authorizationId: created.token.id, validTo: created.token.validTo },
      graceEndsAt,
    });
    return { rotation, successor: created.token, text: created.text, replayed: false };
  }

  /** The rotation of a token, if it was rotated. */
  rotationOf(tokenId: string): Promise<TokenRotation | undefined> {
    return this.context.store.tokenRotations.findByToken(tokenId);
  }

  /** The rotations of these tokens still in their grace window at this moment, by token id (for token lists). */
  async inGrace(tokenIds: readonly string[]): Promise<Map<string, TokenRotation>> {
    const now = this.context.clock.now().toISOString();
    const rotations = await this.context.store.tokenRotations.listUnendedOf(tokenIds);
    return new Map(rotations.filter((rotation) => rotation.graceEndsAt > now).map((rotation) => [rotation.tokenId, rotation]));
  }

  /**
   * Forgets sealed successors past their replay window and records the end of grace windows that have passed.
   * Every instance may run it: recording an end is claimed in the database, so each is recorded once.
   */
  async sweep(): Promise<number> {
    const now = this.context.clock.now().toISOString();
    await this.context.store.tokenRotations.forgetReplays(now);
    let recorded = 0;
    for (const rotation of await this.context.store.tokenRotations.listEnded(now, sweepBatch)) {
      if (!(await this.context.store.tokenRotations.markEnded(rotation.tokenId, now))) continue;
      const token = await this.context.store.tokens.findById(rotation.tokenId);
      // A token revoked during its window ended then, and its revocation is already in the log.
      if (!token || (token.revokedAt !== null && token.revokedAt <= rotation.graceEndsAt)) continue;
      this.context.audit.record({
        action: 'token.graceEnded',
        token: auditedToken(token),
        successorId: rotation.successorId,
        graceEndsAt: rotation.graceEndsAt,
      });
      recorded++;
    }
    return recorded;
  }

  /** A replay of the caller's earlier request with this key; a refusal when the key or the token was used otherwise. */
  private async earlier(
    user: User,
    token: PersonalAccessToken,
    keyHash: string | null,
    requestHash: string,
  ): Promise<RotationResult | undefined> {
    const repository = this.context.store.tokenRotations;
    // The token first, the key second: a concurrent request with the same key that commits between the two reads
    // is then found by its key and replayed, never taken for a rotation by someone else.
    const byToken = await repository.findByToken(token.id);
    const byKey = keyHash === null ? undefined : await repository.findByIdempotencyKey(user.id, keyHash);
    if (byKey) {
      if (byKey.tokenId !== token.id || byKey.requestHash !== requestHash) throw idempotencyKeyReused();
      return this.replay(byKey);
    }
    if (byToken) throw tokenAlreadyRotated(byToken);
    return undefined;
  }

  private async replay(rotation: TokenRotation): Promise<RotationResult> {
    const successor = await this.tokens.get(rotation.successorId);
    const now = this.context.clock.now().getTime();
    const open = rotation.successorSealed !== null && successor.revokedAt === null && Date.parse(rotation.replayUntil) > now;
    return {
      rotation,
      successor,
      text: open && rotation.successorSealed !== null ? this.box.open(rotation.successorSealed) : null,
      replayed: true,
    };
  }
}
