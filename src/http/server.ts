import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config, TrustedProxies } from '../config/schema.js';
import { DomainError } from '../domain/errors.js';
import { registerClientAddress } from './client-address.js';
import { answerClientError } from './client-errors.js';
import { sendError } from './errors.js';

export interface ServerOptions {
  config: Config;
  /** Replaces the log destination (tests pass a silent or capturing stream). */
  logStream?: NodeJS.WritableStream;
}

/** Fastify's own reading of a hop count: the peer and the n-1 hops before it are proxies. */
function trustProxyOption(trusted: TrustedProxies): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trusted === 'number') return (_address, hop) => hop < trusted;
  return typeof trusted === 'object' ? [...trusted] : trusted;
}

/**
 * The Fastify instance with what every request shares: request ids, one log line per request,
 * limits and the root error handler. Areas register their routes on it; it never listens by itself.
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const { config } = options;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Credentials never reach a log line, whatever a handler logs.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'], censor: '[redacted]' },
      ...(options.logStream && { stream: options.logStream }),
    },
    // Fastify's two lines per request halve throughput; the onResponse hook below writes one.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: () => randomUUID(),
    bodyLimit: config.bodyLimitBytes,
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    maxRequestsPerSocket: config.maxRequestsPerSocket,
    http: {
      // Node refuses a header timeout above the request timeout.
      headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
      // How often Node looks for connections past those timeouts (its default, 30 s, would stretch them).
      connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
    },
    trustProxy: trustProxyOption(config.trustProxy),
    // Azure DevOps clients mix the case of areas and resources (`_apis/Location`, `Profile/Profiles`).
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 500 },
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // A URL the router cannot decode (a lone surrogate, invalid UTF-8) or a segment past maxParamLength gets the envelope too.
    frameworkErrors: (error, request, reply) =>
      sendError(
        request,
        reply,
        new DomainError(
          'invalidInput',
          error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'A segment of the URL is longer than 500 characters.'
            : 'The URL is not valid: it holds a percent-encoded sequence that is not UTF-8.',
        ),
      ),
    forceCloseConnections: 'idle',
  });

  registerClientAddress(app);

  // No answer is sniffed into another type: JSON, the 203 sign-in page and error bodies alike.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    done();
  });

  // Connections past the limit are closed as they arrive, so idle ones cannot pile up without bound.
  app.server.maxConnections = config.maxConnections;

  app.addHook('onResponse', (request, reply, done) => {
    // Path only: query strings can carry codes and other values that do not belong in logs.
    const path = request.url.split('?', 1)[0];
    request.log.info({ method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      Object.assign(new Error(`No resource matches ${request.method} ${request.url.split('?', 1)[0]}.`), { statusCode: 404 }),
    ),
  );
  return app;
}
