import type { FastifyInstance } from 'fastify';
import type { Clock } from '../domain/clock.js';
import { DomainError } from '../domain/errors.js';
import { FailureThrottle } from '../services/failure-throttle.js';
import type { LeakReport, LeakReportService } from '../services/leak-reports.js';
import { sendError } from './errors.js';

const maxReports = 100;
const maxTokenLength = 200;
const maxUrlLength = 2048;
const bodyLimit = 256 * 1024;

function reportsFrom(body: unknown): LeakReport[] {
  if (!Array.isArray(body)) {
    throw new DomainError('invalidInput', 'The body must be a JSON array of {"token", "url"} objects.');
  }
  if (body.length === 0 || body.length > maxReports) {
    throw new DomainError('invalidInput', `A report holds 1 to ${maxReports} tokens.`);
  }
  return body.map((entry, index) => {
    const { token, url } = (entry ?? {}) as Record<string, unknown>;
    if (typeof token !== 'string' || token.length === 0 || token.length > maxTokenLength) {
      throw new DomainError('invalidInput', `Entry ${index}: "token" must be a string of 1 to ${maxTokenLength} characters.`);
    }
    if (url !== undefined && (typeof url !== 'string' || url.length > maxUrlLength)) {
      throw new DomainError('invalidInput', `Entry ${index}: "url" must be a string of at most ${maxUrlLength} characters.`);
    }
    return { token, url: url ?? '' };
  });
}

/**
 * `POST /_apis/tokens/leaks`: anyone may report tokens found in the wild (the shape of GitHub's credential
 * revocation API). The answer is always 202 and the check runs afterwards, so a reporter cannot learn from the
 * answer or its timing whether a token was valid. Limited per client address.
 */
export function registerLeakReports(
  app: FastifyInstance,
  options: { leaks: LeakReportService; clock: Clock; reportsPerMinute: number },
): void {
  const throttle = new FailureThrottle(options.clock, options.reportsPerMinute, 60_000);
  app.post('/_apis/tokens/leaks', { bodyLimit }, async (request, reply) => {
    const verdict = throttle.check(request.clientAddress);
    if (verdict.blocked) {
      reply.header('Retry-After', String(verdict.retryAfterSeconds));
      return sendError(
        request,
        reply,
        Object.assign(new Error('Too many leak reports from this address; try again later.'), { statusCode: 429 }),
      );
    }
    void throttle.recordFailure(request.clientAddress);
    const reports = reportsFrom(request.body);
    options.leaks.accept(reports, (error) => request.log.error({ err: error }, 'checking leaked tokens failed'));
    return reply.code(202).send({ received: reports.length });
  });
}
