/**
 * The timer that drives webhooks in a serving instance: due deliveries every tick, expiry notices every
 * `scanEvery` ticks. One tick at a time; errors are reported and the next tick tries again.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private ticks = 0;

  constructor(
    private readonly work: { deliverDue(): Promise<number>; scanExpiring(): Promise<number> },
    private readonly intervalMs: number,
    private readonly scanEvery: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        if (this.ticks++ % this.scanEvery === 0) await this.work.scanExpiring();
        await this.work.deliverDue();
      } catch (error) {
        this.onError(error);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
