import type { FastifyInstance } from 'fastify';
import { buildApp, type Lapis } from '../../src/app.js';
import type { Clock } from '../../src/domain/clock.js';
import { baseScope } from '../../src/domain/scopes.js';
import { setAdoResponseHeaders } from '../../src/http/ado-headers.js';
import { createServer } from '../../src/http/server.js';
import type { Store } from '../../src/storage/ports.js';
import { logCapture, testConfig } from './app.js';

export interface AuthProbe {
  lapis: Lapis;
  server: FastifyInstance;
  logs: () => string[];
}

/**
 * A server with one protected route per method at `/{org}/_apis/probe`, answered through the real
 * access gate (identification and authorization) of a real Lapis app, so authentication is tested apart from any REST resource.
 */
export async function authProbe(store: Store, env: Record<string, string> = {}, clock?: Clock): Promise<AuthProbe> {
  const config = testConfig(env);
  const logs = logCapture();
  const lapis = await buildApp({ config, store, logStream: logs.stream, ...(clock && { clock }) });
  const server = createServer({ config, logStream: logs.stream });
  server.route({
    method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'],
    url: '/:organization/_apis/probe',
    handler: async (request, reply) => {
      setAdoResponseHeaders(request, reply);
      const organization = await lapis.store.organizations.findByName((request.params as { organization: string }).organization);
      const admission = await lapis.access.admit(request, reply, {
        ...(organization && { organization }),
        scopes: [baseScope],
        label: `${request.method} probe`,
      });
      if ('answered' in admission) return admission.answered;
      const principal = admission.principal!;
      return { user: principal.user.username, credential: principal.credential, scopes: [...principal.scopes].sort() };
    },
  });
  await server.ready();
  return { lapis, server, logs: logs.lines };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
