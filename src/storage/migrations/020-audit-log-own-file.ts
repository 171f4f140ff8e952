import { sql } from 'kysely';
import type { LapisMigration } from './dialect.js';

const columns = sql.raw('id, timestamp, organization_id, action, actor_id, actor_name, via, ip_address, details, data');

/**
 * On SQLite the audit log moves to its own file (storage/sqlite/audit-log-file.ts, which the store creates before it
 * migrates): the rows are copied there, then the store's table goes. The file is ATTACHed for this copy only; it
 * must not stay attached, as every BEGIN IMMEDIATE would then lock it too. Run again after a crash half-way, the
 * copy skips the rows already there, and a table already dropped means the copy was done. PostgreSQL keeps the table.
 */
export const auditLogOwnFile: LapisMigration = {
  name: '020-audit-log-own-file',
  async up(db, dialect, files) {
    if (dialect !== 'sqlite') return;
    const table = await sql`select 1 from sqlite_master where type = 'table' and name = 'audit_log'`.execute(db);
    if (table.rows.length === 0) return;
    if (files?.auditLog) {
      await sql`attach database ${files.auditLog} as audit_file`.execute(db);
      try {
        await sql`insert or ignore into audit_file.audit_log (${columns}) select ${columns} from main.audit_log`.execute(db);
      } finally {
        await sql`detach database audit_file`.execute(db);
      }
    } else {
      // An in-memory store has no audit file to copy to, and is new: its table is still empty.
      const rows = await sql`select 1 from audit_log limit 1`.execute(db);
      if (rows.rows.length > 0) throw new Error('migration 020 needs the audit log file to keep the audit entries');
    }
    await db.schema.dropTable('audit_log').execute();
  },
};
