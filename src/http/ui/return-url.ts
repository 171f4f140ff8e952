/** Longer return URLs are dropped rather than echoed, so the sign-in redirect stays bounded whatever the request. */
export const maxReturnUrlLength = 1024;

const base = 'http://lapis.invalid';

/**
 * Where to go after signing in: only a path on this server. Browsers read `//host` and `/\host` as
 * another host and drop tabs and newlines inside URLs, so anything but a plain absolute path goes home.
 * The check is made on the normalised form too: `/.//host`, `/a/..//host` and `/%2e//host` all
 * normalise to `//host`.
 */
export function safeReturnUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length > maxReturnUrlLength || !value.startsWith('/')) return '/';
  if (/[\\\s\p{Cc}]/u.test(value)) return '/';
  let normalised: string;
  try {
    const url = new URL(value, base);
    if (url.origin !== base) return '/';
    normalised = `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
  if (normalised.startsWith('//') || normalised.length > maxReturnUrlLength) return '/';
  return normalised;
}

/** The sign-in page, coming back to `returnUrl` afterwards when that is a safe, short path. */
export function signInPath(returnUrl: string): string {
  const target = safeReturnUrl(returnUrl);
  return target === '/' && returnUrl !== '/' ? '/_signin' : `/_signin?returnUrl=${encodeURIComponent(target)}`;
}
