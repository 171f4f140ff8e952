import { commonPasswordCores, commonWholePasswords } from './common-passwords.js';

/** ASVS 4.0 V2.1.1 at level 2: at least 12 characters. */
export const minimumPasswordLength = 12;
/** ASVS V2.1.2: at least 64 allowed; more than this is refused so hashing cost stays bounded. */
export const maximumPasswordLength = 128;

const lookAlikes: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
};

/** The word a password is built around: digits and symbols around it stripped, look-alike characters undone. */
function core(password: string): string {
  const lower = password.toLowerCase();
  const stripped = lower.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
  return [...(stripped || lower)].map((c) => lookAlikes[c] ?? c).join('');
}

/** A password made of one short piece repeated (`abcabcabcabc`, `aaaaaaaaaaaa`). */
function repeatsOnePiece(password: string): boolean {
  return /^(.{1,4})\1+$/su.test(password);
}

/** Why a new password is refused, or undefined when it is acceptable. Any character is allowed, spaces included. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < minimumPasswordLength) return `Password must be at least ${minimumPasswordLength} characters.`;
  if (length > maximumPasswordLength) return `Password must be at most ${maximumPasswordLength} characters.`;
  const lower = password.toLowerCase();
  if (
    commonWholePasswords.has(lower) ||
    commonPasswordCores.has(core(password)) ||
    repeatsOnePiece(lower) ||
    /^\d+$/.test(password)
  ) {
    return 'This password is too common: choose a longer phrase of your own.';
  }
  return undefined;
}
