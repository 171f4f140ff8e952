import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { type AuditRow, auditChunkSizes, auditChunks, auditColumns } from '../kysely/audit-rows.js';
import type { WriteAnswer, WriteRequest, WriterData } from './audit-writer.js';

/**
 * The audit writer thread (audit-writer.ts starts it): its own connection to the store's WAL file, one
 * prepared insert per chunk size, one IMMEDIATE transaction per batch, so a batch is written whole or not at all
 * and a crash mid-batch leaves the file as it was before the batch.
 */
const { file } = workerData as WriterData;
const connection = new Sqlite(file, { fileMustExist: true });
connection.pragma('busy_timeout = 5000');
connection.pragma('synchronous = NORMAL');

const rowPlaceholders = `(${auditColumns.map(() => '?').join(', ')})`;
const inserts = new Map(
  auditChunkSizes.map((size) => [
    size,
    connection.prepare(
      `insert into "audit_log" (${auditColumns.map((column) => `"${column}"`).join(', ')}) values ${Array(size).fill(rowPlaceholders).join(', ')}`,
    ),
  ]),
);

const writeBatch = connection.transaction((rows: readonly AuditRow[]) => {
  for (const chunk of auditChunks(rows)) inserts.get(chunk.length as (typeof auditChunkSizes)[number])?.run(chunk.flat());
});

const port = parentPort;
port?.on('message', (message: WriteRequest | 'close') => {
  if (message === 'close') {
    connection.close();
    port.close();
    return;
  }
  let answer: WriteAnswer;
  try {
    writeBatch.immediate(message.rows);
    answer = { id: message.id };
  } catch (error) {
    answer = { id: message.id, error: { message: (error as Error).message, code: (error as { code?: string }).code } };
  }
  port.postMessage(answer);
});
