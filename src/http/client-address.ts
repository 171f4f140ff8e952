import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The client's address: `request.ip`, resolved once per request. Behind trusted proxies Fastify walks
     * X-Forwarded-For on every read of `ip` (microseconds each), and a request reads it in several places
     * (throttles, restrictions, the usage trail, audit entries).
     */
    readonly clientAddress: string;
    clientAddressMemo: string | null;
  }
}

export function registerClientAddress(app: FastifyInstance): void {
  app.decorateRequest('clientAddressMemo', null);
  app.decorateRequest('clientAddress', {
    getter(this: FastifyRequest) {
      this.clientAddressMemo ??= this.ip;
      return this.clientAddressMemo;
    },
  });
}
