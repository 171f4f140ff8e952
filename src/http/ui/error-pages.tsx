import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { StorageUnavailableError } from '../../storage/ports.js';
import { exceptionFor, storageRetryAfterSeconds } from '../errors.js';
import { ErrorPage } from './pages/error-page.js';
import { sendPage } from './render.js';

const csrfCodes = new Set(['FST_CSRF_MISSING_SECRET', 'FST_CSRF_INVALID_TOKEN']);

const clientErrorTitles: Record<number, string> = {
  400: 'Bad request',
  403: 'Access denied',
  404: 'Page not found',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported request',
};

export function sendNotFoundPage(_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return sendPage(reply, 404, <ErrorPage title="Page not found" message="There is no page at this address." />);
}

export function sendForbiddenPage(reply: FastifyReply): Promise<FastifyReply> {
  return sendPage(
    reply,
    403,
    <ErrorPage title="Access denied" message="This page is for administrators. Ask one if you need access." />,
  );
}

/** The UI's error handler: every failure becomes a page; details stay in the log. */
export function sendErrorPage(error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (error instanceof DomainError) {
    const status = exceptionFor(error.code).status;
    if (status < 500)
      return sendPage(reply, status, <ErrorPage title={clientErrorTitles[status] ?? 'Error'} message={error.message} />);
  }
  const { statusCode, code } = error as Partial<FastifyError>;
  if (code && csrfCodes.has(code)) {
    return sendPage(
      reply,
      403,
      <ErrorPage
        title="Form expired"
        message="This form could not be verified: it may have expired or come from another site. Go back, reload the page and try again."
      />,
    );
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const title = clientErrorTitles[statusCode] ?? 'Bad request';
    return sendPage(reply, statusCode, <ErrorPage title={title} message="The request could not be handled." />);
  }
  request.log.error({ err: error }, 'page failed');
  if (error instanceof StorageUnavailableError) {
    return sendPage(
      reply.header('Retry-After', String(storageRetryAfterSeconds)),
      503,
      <ErrorPage title="Service unavailable" message="The database cannot be reached. Try again in a moment." />,
    );
  }
  return sendPage(
    reply,
    500,
    <ErrorPage title="Something went wrong" message="The server could not complete this request. Try again in a moment." />,
  );
}
