import type { FastifyInstance } from 'fastify';
import type { Store } from '../storage/ports.js';

/** `GET /_health`: 200 when the store answers, 503 otherwise. No authentication, no details that help an attacker. */
export function registerHealth(app: FastifyInstance, store: Store): void {
  app.get('/_health', async (_request, reply) => {
    try {
      await store.ping();
      return reply.send({ status: 'ok' });
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
