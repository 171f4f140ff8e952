import type { Command } from 'commander';
import type { Services } from '../compose.js';
import { loadConfig } from '../config/load.js';
import type { Config, ConfigKey } from '../config/schema.js';
import { ioOf } from './io.js';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
}

/** The configuration for a command: defaults <- --config file <- LAPIS_* <- flags. */
export function configFor(command: Command, flags: Partial<Record<ConfigKey, string | undefined>> = {}): Config {
  const global = command.optsWithGlobals<GlobalOptions>();
  return loadConfig({
    file: global.config,
    env: ioOf(command).env,
    flags: { dataDir: global.dataDir, databaseUrl: global.databaseUrl, ...flags },
  });
}

/**
 * Opens the configured store (it must exist: only serve and migrate create one), brings it up to date, refuses as
 * `serve` does when this directory's keys differ from those the database was set up with, runs `work`, always closes.
 */
export async function withServices<T>(command: Command, work: (services: Services, config: Config) => Promise<T>): Promise<T> {
  const config = configFor(command);
  // Loaded on use: --help, --version and usage errors then start without the drivers and services.
  const { buildServices, checkSharedKeys, configuredClock, openExistingStore } = await import('../compose.js');
  const store = await openExistingStore(config);
  let services: Services | undefined;
  try {
    await store.migrate();
    const clock = configuredClock(config);
    services = buildServices(store, clock, config);
    await checkSharedKeys(config, store, services, clock);
    return await work(services, config);
  } finally {
    // What the command recorded (token changes, policy changes) is written before the store closes.
    await services?.audit.close();
    await services?.counters.close();
    await store.close();
  }
}
