import { DuplicateKeyError, StorageUnavailableError } from '../ports.js';

/** Socket-level failures: the server is not there, or went away mid-conversation. */
const networkErrorCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs that mean "the database is away, try again": class 08 (connection exception), the shutdown and
 * start-up refusals of class 57 (a restart, failover or pg_terminate_backend), too many connections, and the
 * ones that make a configured database unusable until an operator acts.
 */
function unavailableReason(code: string): string | undefined {
  if (code.startsWith('08')) return 'connection lost';
  if (code === '57P01' || code === '57P02') return 'connection ended by the server';
  if (code === '57P03') return 'the server is starting up or shutting down';
  if (code === '53300') return 'too many connections';
  if (code === '3D000') return 'database does not exist';
  if (code.startsWith('28')) return 'authentication failed';
  if (networkErrorCodes.has(code)) return code;
  return undefined;
}

/** pg reports a dead or dying connection with these messages and no code. */
const lostConnectionMessage =
  /timeout exceeded when trying to connect|Connection terminated|encountered a connection error and is not queryable|Client was closed and is not queryable/i;

/** Maps pg errors to the storage errors of ports.ts; anything else passes through unchanged. */
export function postgresErrorTranslator(location: string): (error: unknown) => unknown {
  return (error: unknown): unknown => {
    const code = (error as { code?: unknown }).code;
    if (code === '23505') return new DuplicateKeyError((error as Error).message);
    const reason = typeof code === 'string' ? unavailableReason(code) : undefined;
    if (reason) return new StorageUnavailableError(`cannot use PostgreSQL at ${location}: ${reason}`);
    if (error instanceof Error && lostConnectionMessage.test(error.message)) {
      return new StorageUnavailableError(`cannot use PostgreSQL at ${location}: ${error.message}`);
    }
    return error;
  };
}
