import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { User } from '../domain/entities.js';
import type { WebSession } from '../domain/web-session.js';
import type { ServiceContext } from './context.js';

export interface WebSessionPolicy {
  /** Absolute lifetime from signing in; activity does not extend it. */
  maxAgeMs: number;
}

export interface SessionClient {
  address: string;
  userAgent: string;
}

export interface StartedSession {
  session: WebSession;
  /** Goes into the encrypted cookie only; the store keeps its SHA-256. */
  secret: string;
}

export interface ResumedSession {
  session: WebSession;
  user: User;
}

/** Last-seen is written at most this often per session, not on every page. */
const touchIntervalMs = 60_000;
const maxUserAgentLength = 256;

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Server-side web sessions: the cookie names a session and carries its secret, the store decides
 * whether it still counts. Ending a session in the store ends it for every instance at once.
 */
export class WebSessionService {
  constructor(
    private readonly context: ServiceContext,
    private readonly policy: WebSessionPolicy,
    private readonly random: (size: number) => Uint8Array = randomBytes,
  ) {}

  async start(user: User, client: SessionClient): Promise<StartedSession> {
    const now = this.context.clock.now();
    await this.context.store.webSessions.deleteExpiredBefore(now.toISOString());
    const secret = Buffer.from(this.random(32)).toString('base64url');
    const session: WebSession = {
      id: this.context.newId(),
      userId: user.id,
      secretHash: hashSecret(secret).toString('hex'),
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.policy.maxAgeMs).toISOString(),
      clientAddress: client.address,
      userAgent: client.userAgent.slice(0, maxUserAgentLength),
    };
    await this.context.store.webSessions.insert(session);
    return { session, secret };
  }

  /** The session and its user while the session exists, has not expired, and the user is enabled. */
  async resume(id: string, secret: string): Promise<ResumedSession | undefined> {
    const session = await this.context.store.webSessions.findById(id);
    if (!session || !timingSafeEqual(hashSecret(secret), Buffer.from(session.secretHash, 'hex'))) return undefined;
    const now = this.context.clock.now();
    if (Date.parse(session.expiresAt) <= now.getTime()) return undefined;
    const user = await this.context.store.users.findById(session.userId);
    if (!user || user.disabledAt) return undefined;
    if (now.getTime() - Date.parse(session.lastSeenAt) >= touchIntervalMs) {
      session.lastSeenAt = now.toISOString();
      await this.context.store.webSessions.touch(session.id, session.lastSeenAt);
    }
    return { session, user };
  }

  /** The user's unexpired sessions, newest first. */
  list(user: User): Promise<WebSession[]> {
    return this.context.store.webSessions.listForUser(user.id, this.context.clock.now().toISOString());
  }

  /** Ends one of the user's sessions; another user's session id is treated as unknown. */
  async endOwn(user: User, id: string): Promise<boolean> {
    const session = await this.context.store.webSessions.findById(id);
    if (!session || session.userId !== user.id) return false;
    return this.context.store.webSessions.delete(id);
  }

  async end(id: string): Promise<void> {
    await this.context.store.webSessions.delete(id);
  }

  /** Ends every session of the user but `keepId`; returns how many ended. */
  endOthers(user: User, keepId: string): Promise<number> {
    return this.context.store.webSessions.deleteForUser(user.id, keepId);
  }
}
