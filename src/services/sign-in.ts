import type { User } from '../domain/entities.js';
import type { ServiceContext } from './context.js';
import type { FailureThrottle } from './failure-throttle.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';

export type SignInRefusal = 'unknownUser' | 'noPassword' | 'disabled' | 'wrongPassword';

/** The reason of a refusal is for logs only: a caller shows every refusal the same way, so names cannot be probed. */
export type SignInResult =
  | { outcome: 'signedIn'; user: User }
  | { outcome: 'refused'; reason: SignInRefusal }
  | { outcome: 'throttled'; retryAfterSeconds: number };

export interface SignInAttempt {
  username: string;
  password: string;
  clientAddress: string;
}

/**
 * Password sign-in for people (the web UI, and Basic passwords in IIS mode), throttled per client address
 * and per address and username. Never per username alone: failures from one address must not lock the
 * real user out from another (ASVS V2.2.1).
 */
export interface SignInThrottles {
  /** Failures of one name from one address: the tight limit, cleared by a success. */
  perAddressAndUser: FailureThrottle;
  /** Failures from one address whatever the name: a looser limit, since one address may be a whole office. */
  perAddress: FailureThrottle;
}

export class SignInService {
  constructor(
    private readonly context: ServiceContext,
    private readonly throttles: SignInThrottles,
  ) {}

  async signIn(attempt: SignInAttempt): Promise<SignInResult> {
    const addressKey = attempt.clientAddress;
    const userKey = `${attempt.clientAddress} ${attempt.username.toLowerCase()}`;
    const verdicts = await Promise.all([
      this.throttles.perAddress.checkAcrossInstances(addressKey),
      this.throttles.perAddressAndUser.checkAcrossInstances(userKey),
    ]);
    const retryAfterSeconds = Math.max(...verdicts.map((verdict) => verdict.retryAfterSeconds));
    if (retryAfterSeconds > 0) return { outcome: 'throttled', retryAfterSeconds };

    const result = await this.check(attempt);
    if (result.outcome === 'signedIn') {
      // Only the address+user count: an attacker holding one valid account must not clear its address's count.
      this.throttles.perAddressAndUser.reset(userKey);
    } else {
      await Promise.all([
        this.throttles.perAddress.recordFailure(addressKey),
        this.throttles.perAddressAndUser.recordFailure(userKey),
      ]);
    }
    return result;
  }

  private async check({ username, password }: SignInAttempt): Promise<SignInResult> {
    const user = username === '' ? undefined : await this.context.store.users.findByUsername(username);
    // Every refusal spends one argon2 verification, so response time does not tell which names exist.
    if (!user?.passwordHash) {
      await burnPasswordCheck(password);
      return { outcome: 'refused', reason: user ? 'noPassword' : 'unknownUser' };
    }
    const matches = await verifyPassword(user.passwordHash, password);
    if (user.disabledAt) return { outcome: 'refused', reason: 'disabled' };
    if (!matches) return { outcome: 'refused', reason: 'wrongPassword' };
    return { outcome: 'signedIn', user };
  }
}
