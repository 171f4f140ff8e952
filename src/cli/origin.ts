import { userInfo } from 'node:os';
import type { AuditOrigin } from '../domain/audit.js';

/** The CLI acts as the operator at the server's console: the audit log names their account on this machine. */
export function cliOrigin(): AuditOrigin {
  let account = 'operator';
  try {
    account = userInfo().username;
  } catch {
    // A container user without a passwd entry has no name; "operator" stands for it.
  }
  return { actor: { userId: null, name: `${account} (CLI)` }, via: 'cli' };
}
