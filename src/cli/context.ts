import type { Command } from 'commander';
import { buildServices, openStore, type Services } from '../app.js';
import { loadConfig } from '../config/load.js';
import type { Config, ConfigKey } from '../config/schema.js';
import { systemClock } from '../domain/clock.js';
import type { Store } from '../storage/ports.js';

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
    flags: { dataDir: global.dataDir, databaseUrl: global.databaseUrl, ...flags },
  });
}

/** Opens the configured store (migrated, so a fresh data dir works), runs `work`, always closes. */
export async function withServices<T>(command: Command, work: (services: Services, store: Store) => Promise<T>): Promise<T> {
  const config = configFor(command);
  const store = openStore(config);
  try {
    await store.migrate();
    return await work(buildServices(store, systemClock, config), store);
  } finally {
    await store.close();
  }
}
