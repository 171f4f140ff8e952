import { randomUUID } from 'node:crypto';
import { errors, type JWTHeaderParameters, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../domain/clock.js';
import { accessTokenAudience, accessTokenLifetimeSeconds } from '../domain/oauth.js';
import type { SigningKeys } from './signing-keys.js';

export interface AccessTokenSubject {
  /** The server's base URL: the `iss` claim. */
  issuer: string;
  userId: string;
  appId: string;
  /** The grant's authorization id: the `aid` claim. */
  authorizationId: string;
  scopes: readonly string[];
}

export interface AccessTokenClaims {
  userId: string;
  appId: string;
  authorizationId: string;
  scopes: string[];
  tokenId: string;
  expiresAt: Date;
}

export type AccessTokenCheck = { status: 'valid'; claims: AccessTokenClaims } | { status: 'expired' | 'invalid' };

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Signed JWT access tokens (ES256): minted at the token endpoint, checked for every Bearer request. */
export class AccessTokens {
  constructor(
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
  ) {}

  async sign(subject: AccessTokenSubject): Promise<{ token: string; expiresIn: number }> {
    const { kid, key } = await this.keys.signingKey();
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000);
    const token = await new SignJWT({
      scp: subject.scopes.join(' '),
      aid: subject.authorizationId,
      appid: subject.appId,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
      .setIssuer(subject.issuer)
      .setAudience(accessTokenAudience)
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(issuedAt + accessTokenLifetimeSeconds)
      .sign(key);
    return { token, expiresIn: accessTokenLifetimeSeconds };
  }

  /**
   * Only ES256 under a key of our own set, with our audience (and issuer, when one is required), inside its
   * lifetime. `alg: none`, HMAC algorithms (the public-key-as-secret confusion), unknown `kid`s and altered
   * bytes are all `invalid`.
   */
  async verify(token: string, issuer: string | undefined): Promise<AccessTokenCheck> {
    if (!jwtShape.test(token)) return { status: 'invalid' };
    try {
      const { payload } = await jwtVerify(token, (header: JWTHeaderParameters) => this.keyFor(header), {
        algorithms: ['ES256'],
        ...(issuer && { issuer }),
        audience: accessTokenAudience,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'exp', 'jti', 'scp', 'aid'],
      });
      const { sub, scp, aid, appid, jti, exp } = payload;
      if (typeof sub !== 'string' || typeof scp !== 'string' || typeof aid !== 'string' || typeof jti !== 'string') {
        return { status: 'invalid' };
      }
      return {
        status: 'valid',
        claims: {
          userId: sub,
          appId: typeof appid === 'string' ? appid : '',
          authorizationId: aid,
          scopes: scp.split(' ').filter(Boolean),
          tokenId: jti,
          expiresAt: new Date((exp ?? 0) * 1000),
        },
      };
    } catch (error) {
      return { status: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  private async keyFor(header: JWTHeaderParameters) {
    const key = header.kid === undefined ? undefined : await this.keys.verificationKey(header.kid);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  }
}
