export type ParsedAuthorization =
  | { scheme: 'none' }
  | { scheme: 'basic'; user: string; password: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'other'; name: string }
  /** `claimedBy`: the scheme the header names, so that scheme's authenticator answers for it. */
  | { scheme: 'malformed'; claimedBy: 'basic' | 'bearer' | undefined; reason: string };

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
const maxCredentialLength = 4096;
const printable = (code: number) => code > 32 && code < 127;

/** Parses the Authorization header, once per request, into a value; any malformation is a value too, never an exception. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header === '') return { scheme: 'none' };
  // `Basic <credentials>` exactly as clients send it (one space, printable ASCII at both ends, so nothing to trim)
  // needs no scheme match.
  if (header.startsWith('Basic ') && printable(header.charCodeAt(6)) && printable(header.charCodeAt(header.length - 1))) {
    return parseBasic(header.slice(6));
  }
  const match = /^([A-Za-z][A-Za-z0-9-]*)(?: +(.*))?$/s.exec(header.trim());
  if (!match?.[1]) {
    const named = /^\s*(basic|bearer)\b/i.exec(header)?.[1]?.toLowerCase() as 'basic' | 'bearer' | undefined;
    return { scheme: 'malformed', claimedBy: named, reason: 'The Authorization header is malformed.' };
  }
  const scheme = match[1].toLowerCase();
  const value = (match[2] ?? '').trim();
  if (scheme === 'basic') return parseBasic(value);
  if (scheme === 'bearer') {
    if (value === '' || value.length > maxCredentialLength || /\s/.test(value)) {
      return { scheme: 'malformed', claimedBy: 'bearer', reason: 'The Bearer token is malformed.' };
    }
    return { scheme: 'bearer', token: value };
  }
  return { scheme: 'other', name: match[1] };
}

function parseBasic(value: string): ParsedAuthorization {
  if (value === '' || value.length > maxCredentialLength || value.length % 4 === 1 || !base64.test(value)) {
    return { scheme: 'malformed', claimedBy: 'basic', reason: 'The Basic credentials are not valid base64.' };
  }
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    return {
      scheme: 'malformed',
      claimedBy: 'basic',
      reason: 'The Basic credentials must be "user:password" (the user may be empty).',
    };
  }
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (user === '' && password === '')
    return { scheme: 'malformed', claimedBy: 'basic', reason: 'The Basic credentials are empty.' };
  return { scheme: 'basic', user, password };
}
