import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/schema.js';
import { DomainError } from '../domain/errors.js';
import { StorageUnavailableError } from '../storage/ports.js';
import { registerApp } from './commands/app.js';
import { registerAppTry } from './commands/app-try.js';
import { registerAudit } from './commands/audit.js';
import { registerExplain } from './commands/explain.js';
import { registerKeys } from './commands/keys.js';
import { registerMigrate } from './commands/migrate.js';
import { registerOrg } from './commands/org.js';
import { registerPat } from './commands/pat.js';
import { registerPatRotate } from './commands/pat-rotate.js';
import { registerPatUsage } from './commands/pat-usage.js';
import { registerPolicy } from './commands/policy.js';
import { registerProject } from './commands/project.js';
import { registerSeed } from './commands/seed.js';
import { registerServe } from './commands/serve.js';
import { registerUser } from './commands/user.js';
import { registerUserSetPassword } from './commands/user-set-password.js';
import { registerWebhook } from './commands/webhook.js';
import { attachIo, type CliIo } from './io.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command('lapis')
    .description('Lapis: an Azure DevOps-compatible server with real personal access tokens and OAuth.')
    .version('0.1.0')
    .option('--config <file>', 'JSON config file (keys as in docs/configuration.md)')
    .option('--data-dir <dir>', 'data directory (LAPIS_DATA_DIR)')
    .option('--database-url <url>', 'database URL (LAPIS_DATABASE_URL)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  attachIo(program, io);
  for (const register of [
    registerServe,
    registerMigrate,
    registerUser,
    registerUserSetPassword,
    registerOrg,
    registerProject,
    registerPat,
    registerApp,
    registerAppTry,
    registerKeys,
    registerSeed,
    registerWebhook,
    registerExplain,
    registerPatUsage,
    registerPatRotate,
    registerAudit,
    registerPolicy,
  ]) {
    register(program);
  }
  return program;
}

/** One line per failure, never a stack trace: the errors users can act on say what to change. */
function describe(error: unknown): string {
  if (error instanceof DomainError || error instanceof ConfigError || error instanceof StorageUnavailableError) {
    return error.message;
  }
  if (error instanceof Error) return `unexpected error: ${error.message.split('\n', 1)[0]}`;
  return 'unexpected error';
}

/** Runs `lapis <args>` against the given streams and returns the exit code; it never exits the process. */
export async function runLapis(args: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its own messages (and the help or version text).
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr.write(`lapis: ${describe(error)}\n`);
    return 1;
  }
}
