import { createHmac, timingSafeEqual } from 'node:crypto';

/** Keyed hashing of token text: a leaked database alone does not allow offline guessing. */
export class TokenHasher {
  constructor(private readonly secret: Buffer) {}

  hash(text: string): string {
    return createHmac('sha256', this.secret).update(text, 'utf8').digest('hex');
  }

  /** Constant-time comparison of two hex hashes. */
  matches(hash: string, expected: string): boolean {
    const a = Buffer.from(hash, 'hex');
    const b = Buffer.from(expected, 'hex');
    return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
  }
}
