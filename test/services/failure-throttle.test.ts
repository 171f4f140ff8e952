import { describe, expect, it } from 'vitest';
import { FailureThrottle } from '../../src/services/failure-throttle.js';

function movableClock(start = 0) {
  let now = start;
  return { clock: { now: () => new Date(now) }, advance: (ms: number) => (now += ms) };
}

describe('failure throttle', () => {
  it('blocks a key after the limit until its window ends, and leaves other keys alone', async () => {
    const { clock, advance } = movableClock();
    const throttle = new FailureThrottle(clock, 3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(throttle.check('10.0.0.1').blocked).toBe(false);
      await throttle.recordFailure('10.0.0.1');
    }
    expect(throttle.check('10.0.0.1')).toEqual({ blocked: true, retryAfterSeconds: 60 });
    expect(throttle.check('10.0.0.2').blocked).toBe(false);
    advance(59_500);
    expect(throttle.check('10.0.0.1')).toEqual({ blocked: true, retryAfterSeconds: 1 });
    advance(500);
    expect(throttle.check('10.0.0.1').blocked).toBe(false);
  });

  it('forgets a key on reset and stays bounded under many keys', async () => {
    const { clock } = movableClock();
    const throttle = new FailureThrottle(clock, 1, 60_000, 10);
    await throttle.recordFailure('a');
    throttle.reset('a');
    expect(throttle.check('a').blocked).toBe(false);
    for (let i = 0; i < 50; i++) await throttle.recordFailure(`k${i}`);
    expect(throttle.check('k0').blocked).toBe(false);
    expect(throttle.check('k49').blocked).toBe(true);
  });

  it('checks across instances without a shared counter as it checks locally', async () => {
    const { clock } = movableClock();
    const throttle = new FailureThrottle(clock, 2, 60_000);
    await throttle.recordFailure('b');
    expect(await throttle.checkAcrossInstances('b')).toEqual({ blocked: false, retryAfterSeconds: 0 });
    await throttle.recordFailure('b');
    expect(await throttle.checkAcrossInstances('b')).toEqual({ blocked: true, retryAfterSeconds: 60 });
  });
});
