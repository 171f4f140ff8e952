import { buildApp } from './app.js';
import { openStore } from './compose.js';
import type { Config } from './config/schema.js';
import { systemClock } from './domain/clock.js';
import { prepareStore } from './first-start.js';
import { limitHeapGrowth } from './heap-growth.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Loads nothing itself: takes a validated config, prepares the store, listens, and stops gracefully on signals. */
export async function serve(
  config: Config,
  print: (line: string) => void = console.log,
  terminal: boolean = process.stdout.isTTY === true,
): Promise<RunningServer> {
  limitHeapGrowth(config.heapGrowthPercent);
  const store = openStore(config);
  try {
    await prepareStore({ config, store, clock: systemClock, print, terminal });
  } catch (error) {
    await store.close();
    throw error;
  }

  if (config.clockOffset !== 0) {
    print(
      `WARNING: LAPIS_CLOCK_OFFSET shifts this server's clock by ${config.clockOffset / 3_600_000} hours: token expiry is judged against the shifted time.`,
    );
  }
  const { app } = await buildApp({ config, store });
  if (config.clockOffset !== 0) app.log.warn({ clockOffsetMs: config.clockOffset }, 'clock offset in effect');
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const timer = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
      timer.unref();
      await app.close();
      clearTimeout(timer);
      await store.close();
    })();
    return stopping;
  };
  const onSignal = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    void stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Announced last: whoever waits for this line may signal the process at once.
  print(`Lapis listening on ${url} (store: ${store.kind} ${store.location})`);
  return { url, stop };
}
