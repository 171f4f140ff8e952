import { describe, expect, it } from 'vitest';
import { FailureThrottle } from '../../src/services/failure-throttle.js';

function movableClock(start = 0) {
  let now = start;
  return { clock: { now: () => new Date(now) }, advance: (ms: number) => (now += ms) };
}

describe('failure throttle', () => {
  it('blocks a key after the limit until its window ends, and leaves other keys alone', () => {
    const { clock, advance } = movableClock();
    const throttle = new FailureThrottle(clock, 3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(throttle.check('10.0.0.1').blocked).toBe(false);
      throttle.recordFailure('10.0.0.1');
    }
    expect(throttle.check('10.0.0.1')).toEqual({ blocked: true, retryAfterSeconds: 60 });
    expect(throttle.check('10.0.0.2').blocked).toBe(false);
    advance(59_500);
    expect(throttle.check('10.0.0.1')).toEqual({ blocked: true, retryAfterSeconds: 1 });
    advance(500);
    expect(throttle.check('10.0.0.1').blocked).toBe(false);
  });

  it('forgets a key on reset and stays bounded under many keys', () => {
    const { clock } = movableClock();
    const throttle = new FailureThrottle(clock, 1, 60_000, 10);
    throttle.recordFailure('a');
    throttle.reset('a');
    expect(throttle.check('a').blocked).toBe(false);
    for (let i = 0; i < 50; i++) throttle.recordFailure(`k${i}`);
    expect(throttle.check('k0').blocked).toBe(false);
    expect(throttle.check('k49').blocked).toBe(true);
  });
});
