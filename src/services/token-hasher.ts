import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Keyed hashing of token text: a leaked database alone does not allow offline guessing. */
export class TokenHasher {
  private readonly derivationKeys = new Map<string, Buffer>();

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

  /**
   * 32 bytes (base64url) that only a holder of the secret can compute from `text`. Each purpose has its own key
   * (HKDF from the secret), so a derived value never equals a stored hash of the same or any other text.
   */
  derive(purpose: string, text: string): string {
    let key = this.derivationKeys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.secret, Buffer.alloc(0), `lapis ${purpose}`, 32));
      this.derivationKeys.set(purpose, key);
    }
    return createHmac('sha256', key).update(text, 'utf8').digest('base64url');
  }
}
