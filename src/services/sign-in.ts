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

/** Password sign-in for people (the web UI), throttled per client address and per username. */
export class SignInService {
  constructor(
    private readonly context: ServiceContext,
    private readonly throttle: FailureThrottle,
  ) {}

  async signIn(attempt: SignInAttempt): Promise<SignInResult> {
    const keys = [`address:${attempt.clientAddress}`, `username:${attempt.username.toLowerCase()}`];
    const retryAfterSeconds = Math.max(...keys.map((key) => this.throttle.check(key).retryAfterSeconds));
    if (retryAfterSeconds > 0) return { outcome: 'throttled', retryAfterSeconds };

    const result = await this.check(attempt);
    if (result.outcome === 'signedIn') {
      // Only the username key: an attacker holding one valid account must not clear its address's count.
      this.throttle.reset(keys[1]!);
    } else {
      for (const key of keys) this.throttle.recordFailure(key);
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
