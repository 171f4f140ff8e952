import type { Timestamp } from './entities.js';

/** A signed-in browser: the cookie names it and carries its secret; only a hash of the secret is stored. */
export interface WebSession {
  id: string;
  userId: string;
  /** SHA-256 of the secret in the cookie, hex. */
  secretHash: string;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  /** The absolute end: activity never extends it. */
  expiresAt: Timestamp;
  clientAddress: string;
  userAgent: string;
}
