import type { SecureSessionPluginOptions } from '@fastify/secure-session';
import type { Config } from '../../config/schema.js';
import { basePathOf } from './base-path.js';

/**
 * The encrypted session cookie, as one set of options: the web UI writes it, the REST API only reads it
 * (a signed-in browser may manage its user's tokens).
 */
export function sessionCookieOptions(
  config: Pick<Config, 'sessionMaxAgeHours' | 'publicUrl'>,
  key: Buffer,
): SecureSessionPluginOptions {
  const maxAgeSeconds = config.sessionMaxAgeHours * 3600;
  return {
    key,
    cookieName: 'lapis_session',
    // The library's own expiry slides with every write; the absolute limit is the stored session's expiresAt.
    expiry: maxAgeSeconds,
    cookie: {
      path: basePathOf(config.publicUrl) || '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: 'auto',
      maxAge: maxAgeSeconds,
    },
  };
}
