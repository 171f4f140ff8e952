import { auditedToken, systemActor } from '../domain/audit.js';
import { canonicalPat, classifyPat } from '../domain/pat-format.js';
import type { ServiceContext } from './context.js';
import type { TokenHasher } from './token-hasher.js';
import type { TokenService } from './tokens.js';
import type { WebhookService } from './webhooks.js';

export interface LeakReport {
  token: string;
  /** Where the reporter found it; passed on to the owner's organizations, never fetched. */
  url: string;
}

/**
 * Tokens found in the wild. Reports are queued and checked after the reporter has had its answer, so neither
 * the answer nor its timing says whether any token was valid.
 */
export class LeakReportService {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: ServiceContext,
    private readonly hasher: TokenHasher,
    private readonly tokens: TokenService,
    private readonly webhooks: WebhookService,
  ) {}

  accept(reports: readonly LeakReport[], onError: (error: unknown) => void): void {
    this.queue = this.queue.then(() => this.check(reports).then(() => undefined)).catch(onError);
  }

  /** Resolves once every report accepted so far has been checked. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Returns how many reports matched a live token (for the CLI and tests, never for the reporter). */
  async check(reports: readonly LeakReport[]): Promise<number> {
    let matched = 0;
    for (const report of reports) {
      const text = report.token.trim();
      const shape = classifyPat(text);
      if (shape === 'invalid') continue;
      const token = await this.context.store.tokens.findByHash(this.hasher.hash(canonicalPat(text, shape)));
      if (!token || token.revokedAt !== null) continue;
      matched++;
      const organizationIds = await this.webhooks.organizationsOf(token);
      const revoke = await this.autoRevokes(organizationIds);
      const revoked = revoke ? await this.tokens.revoke(token, { actor: systemActor, via: 'leak' }) : token;
      this.context.audit.record({
        action: 'token.leaked',
        token: auditedToken(token),
        foundAt: report.url,
        revoked: revoke,
      });
      await this.webhooks.emit(organizationIds, 'token.leaked', {
        token: await this.webhooks.tokenFacts(revoked),
        foundAt: report.url,
        revoked: revoke,
      });
    }
    return matched;
  }

  /** Revoked unless every organization the token speaks for turned automatic revocation off. */
  private async autoRevokes(organizationIds: readonly string[]): Promise<boolean> {
    if (organizationIds.length === 0) return true;
    for (const organizationId of organizationIds) {
      if ((await this.context.store.leakSettings.autoRevoke(organizationId)) !== false) return true;
    }
    return false;
  }

  autoRevokeSetting(organizationId: string): Promise<boolean> {
    return this.context.store.leakSettings.autoRevoke(organizationId).then((value) => value !== false);
  }

  setAutoRevoke(organizationId: string, autoRevoke: boolean): Promise<void> {
    return this.context.store.leakSettings.setAutoRevoke(organizationId, autoRevoke);
  }
}
