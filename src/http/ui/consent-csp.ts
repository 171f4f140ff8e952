import type { FastifyReply } from 'fastify';
import { helmetOptions } from './security-headers.js';

type Directives = Record<string, string[]>;

const baseDirectives = (helmetOptions.contentSecurityPolicy as { directives: Directives }).directives;

function render(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} ${sources.join(' ')}`)
    .join(';');
}

/**
 * Browsers apply `form-action` to the redirect that answers a form too, so the consent form may only
 * lead to the app if the app's callback origin is allowed on that one page. CSP host sources cannot
 * name an IPv6 literal; for `[::1]` the scheme alone is allowed.
 */
export function allowFormRedirectTo(reply: FastifyReply, redirectUri: string): void {
  const url = new URL(redirectUri);
  const target = url.hostname.startsWith('[') ? url.protocol : url.origin;
  reply.header('content-security-policy', render({ ...baseDirectives, formAction: ["'self'", target] }));
}
