import type { AuditOrigin } from '../domain/audit.js';
import type { Organization, PersonalAccessToken, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import {
  governingOrganizations,
  maxPolicyDays,
  type OrganizationPolicy,
  type PolicyMode,
  type PolicyName,
  type PolicyViolation,
  policyNames,
  type TokenShape,
  violationCodes,
  violationMessage,
  violationsOf,
} from '../domain/org-policies.js';
import { tokensByOwner } from '../domain/pat-list.js';
import { tokenStatus } from '../domain/pat-rules.js';
import type { ServiceContext } from './context.js';
import type { RevocationRuleService } from './revocation-rules.js';

export interface PolicySettings {
  mode: PolicyMode;
  /** maxLifespan only. */
  maxDays?: number | null | undefined;
  /** User names exempt from the policy; undefined keeps the current list. */
  allow?: readonly string[] | undefined;
}

export interface ViolatingToken {
  token: PersonalAccessToken;
  owner: User;
  violations: PolicyViolation[];
}

/** A token about to be stored, and what it is called in the audit log. */
export interface PolicyCheck {
  shape: TokenShape;
  tokenId: string | null;
  displayName: string;
  during: 'create' | 'update';
  origin: AuditOrigin;
}

interface Snapshot {
  byOrganization: Map<string, OrganizationPolicy[]>;
  organizationNames: Map<string, string>;
  loadedAt: number;
}

/**
 * Organizations' token policies. Every policy is held in memory: the request path (the warning header) reads the
 * snapshot synchronously and never queries; a stale snapshot is reloaded in the background, so other processes'
 * changes are seen within `cacheMs`, and this process's own at once.
 */
export class OrganizationPolicyService {
  private snapshot: Snapshot = { byOrganization: new Map(), organizationNames: new Map(), loadedAt: Number.NEGATIVE_INFINITY };
  private loading: Promise<void> | undefined;
  /** Token and policy pairs whose use was already recorded by this process: one entry per pair, not one per call. */
  private readonly recordedUses = new Set<string>();

  constructor(
    private readonly context: ServiceContext,
    private readonly rules: Pick<RevocationRuleService, 'applyToMembersOf'>,
    private readonly options: { cacheMs: number; onBackgroundError?: (error: unknown) => void },
  ) {}

  /** Loads every policy and organization name; concurrent callers share one load. */
  refresh(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const [policies, organizations] = await Promise.all([
          this.context.store.organizationPolicies.listAll(),
          this.context.store.organizations.list(),
        ]);
        const byOrganization = new Map<string, OrganizationPolicy[]>();
        for (const policy of policies) {
          byOrganization.set(policy.organizationId, [...(byOrganization.get(policy.organizationId) ?? []), policy]);
        }
        this.snapshot = {
          byOrganization,
          organizationNames: new Map(organizations.map((o) => [o.id, o.name])),
          loadedAt: this.context.clock.now().getTime(),
        };
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** The organization's three policies, `off` where never set. */
  async forOrganization(organization: Organization): Promise<OrganizationPolicy[]> {
    await this.refresh();
    const stored = this.snapshot.byOrganization.get(organization.id) ?? [];
    return policyNames.map(
      (policy) =>
        stored.find((p) => p.policy === policy) ?? {
          organizationId: organization.id,
          policy,
          mode: 'off',
          maxDays: null,
          allowedUserIds: [],
          updatedAt: organization.createdAt,
        },
    );
  }

  async set(
    organization: Organization,
    policy: PolicyName,
    settings: PolicySettings,
    origin: AuditOrigin,
  ): Promise<OrganizationPolicy> {
    const current = (await this.forOrganization(organization)).find((p) => p.policy === policy);
    const maxDays =
      policy === 'maxLifespan' ? (settings.maxDays === undefined ? (current?.maxDays ?? null) : settings.maxDays) : null;
    if (policy === 'maxLifespan' && settings.mode !== 'off') {
      if (maxDays === null || !Number.isInteger(maxDays) || maxDays < 1 || maxDays > maxPolicyDays) {
        throw new DomainError('invalidInput', `The maximum lifespan must be a whole number of days from 1 to ${maxPolicyDays}.`);
      }
    }
    const allowedUserIds =
      settings.allow === undefined ? (current?.allowedUserIds ?? []) : await this.userIds(organization, settings.allow);
    const saved: OrganizationPolicy = {
      organizationId: organization.id,
      policy,
      mode: settings.mode,
      maxDays,
      allowedUserIds,
      updatedAt: this.context.clock.now().toISOString(),
    };
    await this.context.store.organizationPolicies.save(saved);
    await this.refresh();
    this.recordedUses.clear();
    this.context.audit.record({
      action: 'admin.action',
      origin,
      operation: 'policy.changed',
      target: organization.name,
      organizationId: organization.id,
      data: { policy, mode: saved.mode, maxDays: saved.maxDays, allowedUserIds: saved.allowedUserIds },
    });
    return saved;
  }

  /**
   * Judges a token a create or update would store. Violations of policies in `audit` or `warn` mode are recorded;
   * the first one in `enforce` mode is recorded and refused with the code Azure DevOps reports.
   */
  async check(check: PolicyCheck): Promise<void> {
    await this.refresh();
    const memberOf =
      check.shape.organizationId === null
        ? (await this.context.store.organizations.listForMember(check.shape.userId)).map((o) => o.id)
        : [];
    const violations = this.violations(check.shape, memberOf);
    for (const violation of violations) {
      this.context.audit.record({
        action: 'policy.violation',
        organizationId: violation.organizationId,
        policy: violation.policy,
        mode: violation.mode,
        during: check.during,
        token: { id: check.tokenId, displayName: check.displayName, ownerId: check.shape.userId },
        origin: check.origin,
      });
    }
    const refused = violations.find((v) => v.mode === 'enforce');
    if (refused) {
      throw new DomainError(violationCodes[refused.policy], `${this.message(refused)} Ask an organization administrator.`, {
        policy: refused.policy,
      });
    }
  }

  /**
   * The request path: the warning for a call made with this token, or undefined. Synchronous and query-free; the
   * first call per token and policy also records the violation.
   */
  warningFor(
    token: PersonalAccessToken,
    memberOf: ReadonlySet<string>,
    ipAddress: string | undefined,
    nowMs = this.context.clock.now().getTime(),
  ): string | undefined {
    this.reloadWhenStale(nowMs);
    if (this.snapshot.byOrganization.size === 0) return undefined;
    const violations = this.violations(token, memberOf);
    if (violations.length === 0) return undefined;
    for (const violation of violations) this.recordUse(token, violation, ipAddress);
    const shown = violations.filter((v) => v.mode === 'warn' || v.mode === 'enforce');
    return shown.length === 0 ? undefined : shown.map((v) => this.message(v)).join(' ');
  }

  /** The user's active tokens that break a policy in warn or enforce mode, with the messages to show them. */
  async warningsForUser(
    user: User,
    tokens: readonly PersonalAccessToken[],
  ): Promise<{ token: PersonalAccessToken; messages: string[] }[]> {
    await this.refresh();
    const memberOf = (await this.context.store.organizations.listForMember(user.id)).map((o) => o.id);
    const now = this.context.clock.now();
    return tokens
      .filter((token) => tokenStatus(token, now) === 'active')
      .map((token) => ({
        token,
        messages: this.violations(token, memberOf)
          .filter((v) => v.mode === 'warn' || v.mode === 'enforce')
          .map((v) => this.message(v)),
      }))
      .filter((warning) => warning.messages.length > 0);
  }

  /**
   * Active tokens usable in the organization that break one of its policies (whatever its mode, `off` aside); a token
   * a revocation rule ended is not active.
   */
  async violatingTokens(organization: Organization): Promise<ViolatingToken[]> {
    await this.refresh();
    const policies = this.snapshot.byOrganization.get(organization.id) ?? [];
    const now = this.context.clock.now();
    const found: ViolatingToken[] = [];
    const [members, stored] = await Promise.all([
      this.context.store.organizations.listMembers(organization.id),
      this.context.store.tokens.listForMembersOf(organization.id),
    ]);
    const byOwner = tokensByOwner(await this.rules.applyToMembersOf(organization.id, stored));
    for (const { user } of members) {
      for (const token of byOwner.get(user.id) ?? []) {
        if (tokenStatus(token, now) !== 'active') continue;
        const violations = violationsOf(policies, token);
        if (violations.length > 0) found.push({ token, owner: user, violations });
      }
    }
    return found;
  }

  message(violation: PolicyViolation): string {
    return violationMessage(violation, this.snapshot.organizationNames.get(violation.organizationId) ?? violation.organizationId);
  }

  private violations(token: TokenShape, memberOf: Iterable<string>): PolicyViolation[] {
    const found: PolicyViolation[] = [];
    for (const organizationId of governingOrganizations(token, memberOf)) {
      const policies = this.snapshot.byOrganization.get(organizationId);
      if (policies) found.push(...violationsOf(policies, token));
    }
    return found;
  }

  private recordUse(token: PersonalAccessToken, violation: PolicyViolation, ipAddress: string | undefined): void {
    const key = `${token.id}/${violation.organizationId}/${violation.policy}`;
    if (this.recordedUses.has(key)) return;
    if (this.recordedUses.size >= 100_000) this.recordedUses.clear();
    this.recordedUses.add(key);
    this.context.audit.record({
      action: 'policy.violation',
      organizationId: violation.organizationId,
      policy: violation.policy,
      mode: violation.mode,
      during: 'use',
      token: { id: token.id, displayName: token.displayName, ownerId: token.userId },
      origin: { actor: { userId: token.userId, name: token.displayName }, via: 'api', ipAddress },
    });
  }

  private reloadWhenStale(nowMs: number): void {
    if (nowMs - this.snapshot.loadedAt < this.options.cacheMs || this.loading) return;
    this.refresh().catch((error: unknown) => this.options.onBackgroundError?.(error));
  }

  private async userIds(organization: Organization, usernames: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const name of usernames.map((n) => n.trim()).filter((n) => n.length > 0)) {
      const user = await this.context.store.users.findByUsername(name);
      if (!user) throw new DomainError('userNotFound', `No user is called "${name}" (allow-list of ${organization.name}).`);
      if (!ids.includes(user.id)) ids.push(user.id);
    }
    return ids;
  }
}
