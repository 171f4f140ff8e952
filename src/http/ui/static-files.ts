import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendNotFoundPage } from './error-pages.js';

// tsc copies no CSS into dist/, so both src/http/ui/ and dist/http/ui/ reach the one folder under src/.
const root = fileURLToPath(new URL('../../../src/http/ui/static/', import.meta.url));

/** /_static/*: the stylesheet and any optional script, from src/http/ui/static/. */
export async function staticFiles(app: FastifyInstance): Promise<void> {
  app.setNotFoundHandler(sendNotFoundPage);
  await app.register(fastifyStatic, { root, index: false, list: false });
}
