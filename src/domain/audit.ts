/**
 * The audit log's events. Each event names what happened, who did it and how; none carries a token, secret
 * or password: only ids, names and addresses, so a copy of the log grants nothing.
 */

/** How an action reached Lapis: a web page, the CLI, the REST API, a revocation rule, or a leak report. */
export type AuditVia = 'page' | 'cli' | 'api' | 'rule' | 'leak';
export const auditVias: readonly AuditVia[] = ['page', 'cli', 'api', 'rule', 'leak'];

/** Who acted: a user, or Lapis itself (userId null) for automatic events. */
export interface AuditActor {
  userId: string | null;
  name: string;
}

/** An actor and the way they came in. */
export interface AuditOrigin {
  actor: AuditActor;
  via: AuditVia;
  /** The client address, when the action came over the network. */
  ipAddress?: string | undefined;
}

export const systemActor: AuditActor = { userId: null, name: 'Lapis' };

export type TokenAction = 'token.created' | 'token.regenerated' | 'token.updated' | 'token.revoked';

export interface TokenEvent {
  action: TokenAction;
  origin: AuditOrigin;
  token: { id: string; displayName: string; ownerId: string; organizationId: string | null; scopes: readonly string[] };
}

/** What an audit entry says about a token: its id, name, owner, organization and scopes; never its text or hash. */
export function auditedToken(token: {
  id: string;
  displayName: string;
  userId: string;
  organizationId: string | null;
  scopes: readonly string[];
}): TokenEvent['token'] {
  return {
    id: token.id,
    displayName: token.displayName,
    ownerId: token.userId,
    organizationId: token.organizationId,
    scopes: token.scopes,
  };
}

export type PolicyName = 'maxLifespan' | 'fullScope' | 'globalTokens';
export type PolicyMode = 'off' | 'audit' | 'warn' | 'enforce';

export interface PolicyViolationEvent {
  action: 'policy.violation';
  organizationId: string;
  policy: PolicyName;
  mode: PolicyMode;
  /** What the violation was noticed on: a token being created or changed (refused under enforce), or a call. */
  during: 'create' | 'update' | 'use';
  token: { id: string | null; displayName: string; ownerId: string };
  origin: AuditOrigin;
}

export interface AuthFailureBurstEvent {
  action: 'auth.failureBurst';
  /** The throttle's key: an address, or an address and a user name. */
  key: string;
  ipAddress: string | null;
  failures: number;
  /** Which door was knocked on: PAT/OAuth over the API, the sign-in page, OAuth client authentication. */
  entry: 'api' | 'signIn' | 'oauthClient';
}

export interface OAuthEvent {
  action: 'oauth.granted' | 'oauth.revoked';
  origin: AuditOrigin;
  grant: { id: string; appId: string; appName: string; userId: string; scopes: readonly string[] };
}

export interface AdminEvent {
  action: 'admin.action';
  origin: AuditOrigin;
  /** What the administrator did, e.g. `organization.memberAdded`, `policy.changed`. */
  operation: string;
  /** What it was done to: a user name, an organization name. */
  target: string;
  organizationId: string | null;
  /** Extra facts (never secrets): a policy's new settings, the member's name. */
  data?: Readonly<Record<string, unknown>>;
}

/** A token reported at the leak endpoint matched a live token; the reporter is never named (anyone may report). */
export interface TokenLeakedEvent {
  action: 'token.leaked';
  token: TokenEvent['token'];
  /** Where the reporter says it was found. */
  foundAt: string;
  revoked: boolean;
}

/** A token was used from a client address its usage trail had not seen. */
export interface TokenNewAddressEvent {
  action: 'token.newAddress';
  token: TokenEvent['token'];
  ipAddress: string;
  userAgent: string;
}

/** A token was rotated: its successor was made, and it keeps working until its grace window ends. */
export interface TokenRotatedEvent {
  action: 'token.rotated';
  origin: AuditOrigin;
  token: TokenEvent['token'];
  successorId: string;
  graceSeconds: number;
  graceEndsAt: string;
}

/** A rotated token's grace window ended: from then on it is refused like an expired token. */
export interface TokenGraceEndedEvent {
  action: 'token.graceEnded';
  token: TokenEvent['token'];
  successorId: string;
  graceEndsAt: string;
}

export type AuditEvent =
  | TokenEvent
  | TokenRotatedEvent
  | TokenGraceEndedEvent
  | TokenLeakedEvent
  | TokenNewAddressEvent
  | PolicyViolationEvent
  | AuthFailureBurstEvent
  | OAuthEvent
  | AdminEvent;

export type AuditAction = AuditEvent['action'];

export const auditActions: readonly AuditAction[] = [
  'token.created',
  'token.regenerated',
  'token.updated',
  'token.revoked',
  'token.rotated',
  'token.graceEnded',
  'token.leaked',
  'token.newAddress',
  'policy.violation',
  'auth.failureBurst',
  'oauth.granted',
  'oauth.revoked',
  'admin.action',
];

/** One stored entry: the event flattened into the columns the log is filtered by, plus its facts as data. */
export interface AuditEntry {
  /** Sortable: later entries have greater ids (time first, then a per-process sequence). */
  id: string;
  timestamp: string;
  /** The organization the entry belongs to; null for server-wide events (failed sign-ins, global tokens). */
  organizationId: string | null;
  action: AuditAction;
  actorId: string | null;
  actorName: string;
  via: AuditVia | null;
  ipAddress: string | null;
  /** One sentence for people. */
  details: string;
  data: Readonly<Record<string, unknown>>;
}

/**
 * An entry as it waits in the audit queue: one flat JSON text of its fields, in the order `id, timestamp,
 * organizationId, action, actorId, actorName, via, ipAddress, details, data` (data as its own JSON text), so the
 * values are the stored columns' as they are.
 */
export type EncodedAuditEntry = string & { readonly encoding: 'audit entry fields as a JSON array' };

export function encodeAuditEntry(entry: AuditEntry): EncodedAuditEntry {
  return JSON.stringify([
    entry.id,
    entry.timestamp,
    entry.organizationId,
    entry.action,
    entry.actorId,
    entry.actorName,
    entry.via,
    entry.ipAddress,
    entry.details,
    JSON.stringify(entry.data),
  ]) as EncodedAuditEntry;
}

/**
 * Entries written together, as one JSON array of their field arrays. A queue behind a busy writer outlives the young
 * generation: one string a slice is promoted and marked at a fraction of the cost of its entries' hundreds of objects
 * (bench:audit), and it goes to the SQLite writer thread as it is, not as hundreds of values to clone.
 */
export interface EncodedAuditBatch {
  count: number;
  json: string;
}

export function encodedAuditBatch(entries: readonly EncodedAuditEntry[]): EncodedAuditBatch {
  return { count: entries.length, json: `[${entries.join(',')}]` };
}

export interface AuditQuery {
  /** Undefined: every organization and the server-wide entries (the CLI, for server administrators). */
  organizationId?: string | undefined;
  /** Inclusive. */
  startTime?: Date | undefined;
  /** Exclusive. */
  endTime?: Date | undefined;
  actions?: readonly AuditAction[] | undefined;
  actorId?: string | undefined;
  /** Entries strictly older than this id (the continuation of a previous page). */
  before?: string | undefined;
}

function viaText(origin: AuditOrigin): string {
  if (origin.via === 'rule') return 'by a revocation rule';
  if (origin.via === 'leak') return 'after a leak report';
  return `through the ${origin.via === 'api' ? 'REST API' : origin.via}`;
}

const tokenVerbs: Record<TokenAction, string> = {
  'token.created': 'created',
  'token.regenerated': 'regenerated',
  'token.updated': 'updated',
  'token.revoked': 'revoked',
};

const policyTitles: Record<PolicyName, string> = {
  maxLifespan: 'maximum token lifespan',
  fullScope: 'full-scope tokens restricted',
  globalTokens: 'global tokens restricted',
};

export function policyTitle(policy: PolicyName): string {
  return policyTitles[policy];
}

/** What an entry says beyond its id, time and action. */
type EntryFacts = Omit<AuditEntry, 'id' | 'timestamp' | 'action'>;

/**
 * The entry for an event: which organization it belongs to, who acted, and a sentence saying what happened.
 * One object literal with every field named: spreading a shared head into a literal with further fields takes V8's
 * slow path (about 5 µs an entry on Node 20, more than SQLite's insert of it), and every request that records pays it.
 */
export function auditEntry(event: AuditEvent, id: string, timestamp: string): AuditEntry {
  const facts = entryFacts(event);
  return {
    id,
    timestamp,
    action: event.action,
    organizationId: facts.organizationId,
    actorId: facts.actorId,
    actorName: facts.actorName,
    via: facts.via,
    ipAddress: facts.ipAddress,
    details: facts.details,
    data: facts.data,
  };
}

function entryFacts(event: AuditEvent): EntryFacts {
  switch (event.action) {
    case 'token.created':
    case 'token.regenerated':
    case 'token.updated':
    case 'token.revoked':
      return {
        organizationId: event.token.organizationId,
        actorId: event.origin.actor.userId,
        actorName: event.origin.actor.name,
        via: event.origin.via,
        ipAddress: event.origin.ipAddress ?? null,
        details: `${event.origin.actor.name} ${tokenVerbs[event.action]} the personal access token "${event.token.displayName}" ${viaText(event.origin)}.`,
        data: {
          authorizationId: event.token.id,
          displayName: event.token.displayName,
          ownerId: event.token.ownerId,
          scope: event.token.scopes.join(' '),
        },
      };
    case 'token.rotated':
      return {
        organizationId: event.token.organizationId,
        actorId: event.origin.actor.userId,
        actorName: event.origin.actor.name,
        via: event.origin.via,
        ipAddress: event.origin.ipAddress ?? null,
        details: `${event.origin.actor.name} rotated the personal access token "${event.token.displayName}" ${viaText(event.origin)}; it keeps working until ${event.graceEndsAt}.`,
        data: {
          authorizationId: event.token.id,
          displayName: event.token.displayName,
          ownerId: event.token.ownerId,
          successorId: event.successorId,
          graceSeconds: event.graceSeconds,
          graceEndsAt: event.graceEndsAt,
        },
      };
    case 'token.graceEnded':
      return {
        organizationId: event.token.organizationId,
        actorId: null,
        actorName: systemActor.name,
        via: null,
        ipAddress: null,
        details: `The grace window of the rotated personal access token "${event.token.displayName}" ended at ${event.graceEndsAt}; it no longer works.`,
        data: {
          authorizationId: event.token.id,
          displayName: event.token.displayName,
          ownerId: event.token.ownerId,
          successorId: event.successorId,
          graceEndsAt: event.graceEndsAt,
        },
      };
    case 'token.leaked':
      return {
        organizationId: event.token.organizationId,
        actorId: null,
        actorName: systemActor.name,
        via: 'leak',
        ipAddress: null,
        details: `The personal access token "${event.token.displayName}" was reported as found at ${event.foundAt || 'an unnamed place'}; ${event.revoked ? 'it was revoked' : 'it was not revoked (the organization reports leaks only)'}.`,
        data: {
          authorizationId: event.token.id,
          displayName: event.token.displayName,
          ownerId: event.token.ownerId,
          foundAt: event.foundAt,
          revoked: event.revoked,
        },
      };
    case 'token.newAddress':
      return {
        organizationId: event.token.organizationId,
        actorId: event.token.ownerId,
        actorName: systemActor.name,
        via: null,
        ipAddress: event.ipAddress,
        details: `The personal access token "${event.token.displayName}" was used from ${event.ipAddress} for the first time.`,
        data: {
          authorizationId: event.token.id,
          displayName: event.token.displayName,
          ownerId: event.token.ownerId,
          userAgent: event.userAgent,
        },
      };
    case 'policy.violation':
      return {
        organizationId: event.organizationId,
        actorId: event.origin.actor.userId,
        actorName: event.origin.actor.name,
        via: event.origin.via,
        ipAddress: event.origin.ipAddress ?? null,
        details: `The personal access token "${event.token.displayName}" violates the policy "${policyTitle(event.policy)}" (${event.mode})${event.mode === 'enforce' && event.during !== 'use' ? '; the change was refused' : ''}.`,
        data: {
          policy: event.policy,
          mode: event.mode,
          during: event.during,
          authorizationId: event.token.id,
          ownerId: event.token.ownerId,
        },
      };
    case 'auth.failureBurst':
      return {
        organizationId: null,
        actorId: null,
        actorName: systemActor.name,
        via: null,
        ipAddress: event.ipAddress,
        details: `${event.failures} failed authentications from ${event.ipAddress ?? 'an unknown address'} (${event.entry}); further attempts are throttled.`,
        data: { key: event.key, failures: event.failures, entry: event.entry },
      };
    case 'oauth.granted':
    case 'oauth.revoked':
      return {
        organizationId: null,
        actorId: event.origin.actor.userId,
        actorName: event.origin.actor.name,
        via: event.origin.via,
        ipAddress: event.origin.ipAddress ?? null,
        details: `${event.origin.actor.name} ${event.action === 'oauth.granted' ? 'authorized' : 'revoked the authorization of'} the application "${event.grant.appName}".`,
        data: {
          grantId: event.grant.id,
          appId: event.grant.appId,
          appName: event.grant.appName,
          userId: event.grant.userId,
          scope: event.grant.scopes.join(' '),
        },
      };
    case 'admin.action':
      return {
        organizationId: event.organizationId,
        actorId: event.origin.actor.userId,
        actorName: event.origin.actor.name,
        via: event.origin.via,
        ipAddress: event.origin.ipAddress ?? null,
        details: `${event.origin.actor.name} did ${event.operation} on "${event.target}" ${viaText(event.origin)}.`,
        data: { operation: event.operation, target: event.target, ...event.data },
      };
  }
}

/** Parses `30m`, `12h`, `7d` into milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!match) return undefined;
  const units = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  return Number(match[1]) * units[match[2] as keyof typeof units];
}
