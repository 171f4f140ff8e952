import type { Socket } from 'node:net';
import { adoErrorBody } from './errors.js';

const refusals: Record<string, { status: number; reason: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', message: 'The request was not received in time.' },
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', message: 'The request headers are too large.' },
};
const malformed = { status: 400, reason: 'Bad Request', message: 'The request is not valid HTTP/1.1.' };

/**
 * Requests Node's HTTP parser refuses (malformed syntax, headers too large, too slow) never reach a route; they get
 * the Azure DevOps envelope too, written to the socket before it is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, reason, message } = refusals[error.code ?? ''] ?? malformed;
  const body = JSON.stringify(adoErrorBody('BadRequestException', 'System.Web.Http, System.Web.Http', message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
