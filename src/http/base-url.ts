import type { FastifyRequest } from 'fastify';

/** The URL clients use to reach this server: LAPIS_PUBLIC_URL, else derived from the request. */
export function baseUrl(request: FastifyRequest, publicUrl: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}
