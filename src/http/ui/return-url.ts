/**
 * Where to go after signing in: only a path on this server. Browsers read `//host` and `/\host` as
 * another host and drop tabs and newlines inside URLs, so anything but a plain absolute path goes home.
 */
export function safeReturnUrl(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  if (value.length > 2048 || /[\\\s\p{Cc}]/u.test(value) || value.startsWith('//')) return '/';
  const base = 'http://lapis.invalid';
  try {
    const url = new URL(value, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}
