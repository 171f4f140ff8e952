/** One request a load loop sends again and again. */
export interface LoopRequest {
  name: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface LoopOutcome {
  name: string;
  /** When the answer (or the failure) arrived, in ms since the epoch. */
  at: number;
  /** 0 when no HTTP answer came at all (connection refused or reset). */
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: string;
}

export interface RequestLoop {
  outcomes: LoopOutcome[];
  /** Ends the loop once the requests in flight have answered. */
  stop(): Promise<LoopOutcome[]>;
}

/**
 * `workers` concurrent clients cycling through `requests` until stopped: a bounded load whose every answer is
 * kept so a test can say what the server answered while its database came and went.
 */
export function startRequestLoop(baseUrl: string, requests: readonly LoopRequest[], workers = 4): RequestLoop {
  const outcomes: LoopOutcome[] = [];
  let running = true;
  const worker = async (offset: number) => {
    for (let i = offset; running; i++) {
      const request = requests[i % requests.length] as LoopRequest;
      try {
        const response = await fetch(baseUrl + request.path, {
          method: request.method ?? 'GET',
          ...(request.headers && { headers: request.headers }),
          ...(request.body !== undefined && { body: request.body }),
          signal: AbortSignal.timeout(15_000),
        });
        outcomes.push({
          name: request.name,
          at: Date.now(),
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          contentType: response.headers.get('content-type'),
          body: (await response.text()).slice(0, 500),
        });
      } catch (error) {
        outcomes.push({
          name: request.name,
          at: Date.now(),
          status: 0,
          retryAfter: null,
          contentType: null,
          body: String(error),
        });
        // A server that is gone refuses at once; do not spin.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, n) => worker(n)));
  return {
    outcomes,
    async stop() {
      running = false;
      await done;
      return outcomes;
    },
  };
}

/** Polls until `check` holds, failing after `deadlineMs`: for conditions the issue states as a deadline. */
export async function within(deadlineMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - start;
    if (Date.now() - start > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
