import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { serviceContext } from '../../src/services/context.js';
import { FailureThrottle } from '../../src/services/failure-throttle.js';
import { SignInService } from '../../src/services/sign-in.js';
import { UserService } from '../../src/services/users.js';
import { backends } from '../support/backends.js';

const [sqlite] = backends();

function throttles(limit: number) {
  return {
    perAddressAndUser: new FailureThrottle(systemClock, limit, 60_000),
    perAddress: new FailureThrottle(systemClock, limit * 5, 60_000),
  };
}

describe('sign-in service', () => {
  afterAll(() => sqlite!.cleanup());

  it('signs in with the right password and refuses everything else with a reason for the log', async () => {
    const context = serviceContext(await sqlite!.open(), systemClock);
    const users = new UserService(context);
    const service = new SignInService(context, throttles(100));
    await users.add({ username: 'alice', password: 'alice-password' });
    await users.add({ username: 'bob', password: 'bob-password' });
    await users.disable('bob');
    await users.add({ username: 'carol' });
    const attempt = (username: string, password: string) => service.signIn({ username, password, clientAddress: '10.0.0.1' });

    expect(await attempt('ALICE', 'alice-password')).toMatchObject({ outcome: 'signedIn', user: { username: 'alice' } });
    expect(await attempt('alice', 'wrong')).toEqual({ outcome: 'refused', reason: 'wrongPassword' });
    expect(await attempt('nobody', 'alice-password')).toEqual({ outcome: 'refused', reason: 'unknownUser' });
    expect(await attempt('', '')).toEqual({ outcome: 'refused', reason: 'unknownUser' });
    expect(await attempt('bob', 'bob-password')).toEqual({ outcome: 'refused', reason: 'disabled' });
    expect(await attempt('carol', 'anything')).toEqual({ outcome: 'refused', reason: 'noPassword' });
  });

  it('throttles per address and per address and username, never per username alone (ASVS V2.2.1)', async () => {
    const context = serviceContext(await sqlite!.open(), systemClock);
    await new UserService(context).add({ username: 'alice', password: 'alice-password' });
    const service = new SignInService(context, throttles(4));
    const attempt = (username: string, password: string, clientAddress: string) =>
      service.signIn({ username, password, clientAddress });

    for (let i = 0; i < 5; i++) await attempt('alice', `wrong ${i}`, '10.6.6.6');
    expect((await attempt('alice', 'alice-password', '10.6.6.6')).outcome).toBe('throttled');
    expect((await attempt('alice', 'alice-password', '10.0.0.5')).outcome).toBe('signedIn');

    for (let i = 0; i < 20; i++) await attempt(`name${i}`, 'wrong', '10.9.9.9');
    expect((await attempt('alice', 'alice-password', '10.9.9.9')).outcome).toBe('throttled');
    expect((await attempt('alice', 'alice-password', '10.9.9.8')).outcome).toBe('signedIn');
  });
});
