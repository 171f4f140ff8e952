import type { FastifyInstance } from 'fastify';
import type { Store } from '../storage/ports.js';
import { storageRetryAfterSeconds } from './errors.js';

/**
 * `GET /_health`: 200 when every part answers, 503 (with `Retry-After`) naming the part that does not.
 * No authentication, so no detail beyond up or down: the reason goes to the log.
 */
export function registerHealth(app: FastifyInstance, store: Store): void {
  app.get('/_health', async (request, reply) => {
    try {
      await store.ping();
      return reply.send({ status: 'ok', database: { status: 'up' } });
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database down');
      return reply
        .code(503)
        .header('Retry-After', String(storageRetryAfterSeconds))
        .send({ status: 'unavailable', database: { status: 'down' } });
    }
  });
}
