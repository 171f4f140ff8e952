import { describe, expect, it } from 'vitest';
import { parseAuthorization } from '../../src/http/auth/authorization-header.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The Authorization header parser: every header, however broken, becomes a value naming who should answer it. */
describe('parsing the Authorization header', () => {
  it('reads no header, and an empty one, as no credentials', () => {
    expect(parseAuthorization(undefined)).toEqual({ scheme: 'none' });
    expect(parseAuthorization('')).toEqual({ scheme: 'none' });
  });

  it('reads Basic in any case, with the user half possibly empty and a colon allowed in the password', () => {
    expect(parseAuthorization(`Basic ${b64('alice:s3cret')}`)).toEqual({ scheme: 'basic', user: 'alice', password: 's3cret' });
    expect(parseAuthorization(`bAsIc ${b64(':token')}`)).toEqual({ scheme: 'basic', user: '', password: 'token' });
    expect(parseAuthorization(`Basic ${b64('token:')}`)).toEqual({ scheme: 'basic', user: 'token', password: '' });
    expect(parseAuthorization(`Basic ${b64('a:b:c')}`)).toEqual({ scheme: 'basic', user: 'a', password: 'b:c' });
    expect(parseAuthorization(`  Basic   ${b64('alice:pw')}  `)).toEqual({ scheme: 'basic', user: 'alice', password: 'pw' });
    expect(parseAuthorization(`Basic \t${b64('alice:pw')}`)).toEqual({ scheme: 'basic', user: 'alice', password: 'pw' });
  });

  it('reads base64 without padding and with one or two padding characters', () => {
    expect(b64('a:b')).toBe('YTpi');
    expect(parseAuthorization('Basic YTpi')).toEqual({ scheme: 'basic', user: 'a', password: 'b' });
    expect(b64('a:')).toBe('YTo=');
    expect(parseAuthorization('Basic YTo=')).toEqual({ scheme: 'basic', user: 'a', password: '' });
    expect(b64('a:bc')).toBe('YTpiYw==');
    expect(parseAuthorization('Basic YTpiYw==')).toEqual({ scheme: 'basic', user: 'a', password: 'bc' });
  });

  it.each([
    ['nothing after the scheme', 'Basic', 'The Basic credentials are not valid base64.'],
    ['spaces after the scheme', 'Basic    ', 'The Basic credentials are not valid base64.'],
    ['characters outside base64', 'Basic YWxpY2U6cHc*', 'The Basic credentials are not valid base64.'],
    ['a base64 length of 4n+1', 'Basic YWxpY2U6cHd4A', 'The Basic credentials are not valid base64.'],
    ['three padding characters', 'Basic YWI===', 'The Basic credentials are not valid base64.'],
    ['padding in the middle', 'Basic YQ==YQ==', 'The Basic credentials are not valid base64.'],
    ['more than 4096 characters', `Basic ${'A'.repeat(4100)}`, 'The Basic credentials are not valid base64.'],
    ['no colon', `Basic ${b64('alice')}`, 'The Basic credentials must be "user:password" (the user may be empty).'],
    ['only a colon', `Basic ${b64(':')}`, 'The Basic credentials are empty.'],
  ])('refuses Basic with %s, for the Basic authenticators to answer', (_name, header, reason) => {
    expect(parseAuthorization(header)).toEqual({ scheme: 'malformed', claimedBy: 'basic', reason });
  });

  it('accepts Basic credentials of exactly 4096 characters', () => {
    const value = b64(`alice:${'x'.repeat(3066)}`);
    expect(value).toHaveLength(4096);
    expect(parseAuthorization(`Basic ${value}`)).toMatchObject({ scheme: 'basic', user: 'alice' });
  });

  it('reads a Bearer token in any case, trimmed', () => {
    expect(parseAuthorization('Bearer eyJ.abc.def')).toEqual({ scheme: 'bearer', token: 'eyJ.abc.def' });
    expect(parseAuthorization('bearer  eyJ.abc.def  ')).toEqual({ scheme: 'bearer', token: 'eyJ.abc.def' });
    expect(parseAuthorization('Bearer \teyJ.abc.def')).toEqual({ scheme: 'bearer', token: 'eyJ.abc.def' });
    expect(parseAuthorization(`Bearer ${'t'.repeat(4096)}`)).toEqual({ scheme: 'bearer', token: 't'.repeat(4096) });
  });

  it.each([
    ['no token', 'Bearer'],
    ['a token with a space inside', 'Bearer abc def'],
    ['a token with a tab inside', 'Bearer abc\tdef'],
    ['a token over 4096 characters', `Bearer ${'t'.repeat(4097)}`],
  ])('refuses Bearer with %s, for the OAuth authenticator to answer', (_name, header) => {
    expect(parseAuthorization(header)).toEqual({
      scheme: 'malformed',
      claimedBy: 'bearer',
      reason: 'The Bearer token is malformed.',
    });
  });

  it('names another scheme as it was sent, for no authenticator to claim', () => {
    expect(parseAuthorization('Negotiate TlRMTVNTUAAB')).toEqual({ scheme: 'other', name: 'Negotiate' });
    expect(parseAuthorization('X-Custom-1')).toEqual({ scheme: 'other', name: 'X-Custom-1' });
  });

  it('refuses a header that names no scheme, telling Basic and Bearer apart by its first word', () => {
    const reason = 'The Authorization header is malformed.';
    expect(parseAuthorization('Basic\u0000x y')).toEqual({ scheme: 'malformed', claimedBy: 'basic', reason });
    expect(parseAuthorization('  BEARER\u0000')).toEqual({ scheme: 'malformed', claimedBy: 'bearer', reason });
    expect(parseAuthorization('Basically\u0000')).toEqual({ scheme: 'malformed', claimedBy: undefined, reason });
    expect(parseAuthorization('1Basic abc')).toEqual({ scheme: 'malformed', claimedBy: undefined, reason });
    expect(parseAuthorization('   ')).toEqual({ scheme: 'malformed', claimedBy: undefined, reason });
  });
});
