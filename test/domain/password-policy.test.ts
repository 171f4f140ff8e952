import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/domain/password-policy.js';

describe('the password policy (ASVS V2.1)', () => {
  it('refuses fewer than 12 characters, counting characters rather than bytes', () => {
    expect(passwordProblem('elevenchars')).toBe('Password must be at least 12 characters.');
    expect(passwordProblem('ünïcödé-pw1')).toMatch(/at least 12/);
    expect(passwordProblem('twelve chars')).toBeUndefined();
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most 128/);
    expect(passwordProblem(`${'long passphrase '.repeat(8)}`)).toBeUndefined();
  });

  it.each([
    'password1234',
    'Password2024!',
    'P@ssw0rd2024!',
    '!!Qwertyuiop12',
    'iloveyou12345',
    'Administrator1',
    '123456789012',
    '000000000000',
    'abcabcabcabc',
    'zzzzzzzzzzzzzz',
    'qwerty123456',
    'CorrectHorseBatteryStaple',
  ])('refuses the common password %j', (password) => {
    expect(passwordProblem(password)).toBe('This password is too common: choose a longer phrase of your own.');
  });

  it.each(['correct horse battery', 'alice-password', 'bob-password', 'tram lunar 93 pickle'])('accepts %j', (password) => {
    expect(passwordProblem(password)).toBeUndefined();
  });
});
