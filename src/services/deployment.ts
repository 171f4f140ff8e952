import type { ServiceContext } from './context.js';

const instanceKey = 'deployment.instanceId';

/** Facts about this Lapis installation as a whole (what Azure DevOps calls the deployment). */
export class DeploymentService {
  private cached: string | undefined;

  constructor(private readonly context: ServiceContext) {}

  /** The server's current time, ISO-8601: what connectionData reports as the caller's latest access (this one). */
  now(): string {
    return this.context.clock.now().toISOString();
  }

  /** A GUID fixed at first use and shared by every instance on the same store. */
  async instanceId(): Promise<string> {
    if (this.cached) return this.cached;
    await this.context.store.meta.setIfAbsent(instanceKey, this.context.newId());
    this.cached = (await this.context.store.meta.get(instanceKey)) ?? '';
    return this.cached;
  }
}
