import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { parseNoticeDays } from '../domain/webhooks.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface KeyDefinition<T> {
  env: string;
  description: string;
  default: T;
  /** How the default reads in the docs when the value is computed from other keys. */
  defaultText?: string;
  parse(raw: string, key: string): T;
}

function integer(min: number, max: number) {
  return (raw: string, key: string): number => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${key} must be an integer, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

function text(raw: string): string {
  return raw;
}

function oneOf<const T extends string>(...values: T[]) {
  return (raw: string, key: string): T => {
    const found = values.find((v) => v === raw.trim().toLowerCase());
    if (!found) throw new ConfigError(`${key} must be one of ${values.join(', ')}, got "${raw}"`);
    return found;
  };
}

function flag(raw: string, key: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off', ''].includes(value)) return false;
  throw new ConfigError(`${key} must be true or false, got "${raw}"`);
}

function redisUrl(raw: string, key: string): string {
  const value = raw.trim();
  if (value === '') return '';
  if (!/^rediss?:\/\//i.test(value) || !URL.canParse(value)) {
    throw new ConfigError(`${key} must be a redis:// or rediss:// URL`);
  }
  return value;
}

function databaseUrl(raw: string, key: string): string {
  const value = raw.trim();
  if (value === '') return '';
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError(`${key} is not a valid PostgreSQL URL`);
    }
    return value;
  }
  if (/^sqlite:/i.test(value)) return value;
  throw new ConfigError(
    `${key} must start with postgres://, postgresql:// or sqlite: (got a value starting "${value.slice(0, 12)}")`,
  );
}

/** Who may set X-Forwarded-For: nobody, a number of proxy hops, or the listed proxy addresses and networks. */
export type TrustedProxies = false | number | readonly string[];

const proxyRangeNames = ['loopback', 'linklocal', 'uniquelocal'];

function trustedProxyEntry(entry: string, key: string): string {
  if (proxyRangeNames.includes(entry)) return entry;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  const bits = family === 6 ? 128 : 32;
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
  if (family === 0 || !prefixOk || rest.length > 0) {
    throw new ConfigError(`${key}: "${entry}" is not an IP address, a CIDR range or one of ${proxyRangeNames.join(', ')}`);
  }
  return entry;
}

/**
 * `true` trusts exactly one proxy (the connection's peer), never the whole X-Forwarded-For chain: its
 * leftmost entry is whatever the client wrote.
 */
function trustedProxies(raw: string, key: string): TrustedProxies {
  const value = raw.trim().toLowerCase();
  if (['false', 'no', 'off', '', '0'].includes(value)) return false;
  if (['true', 'yes', 'on'].includes(value)) return 1;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 32) throw new ConfigError(`${key} must be at most 32 hops, got ${hops}`);
    return hops;
  }
  return value.split(',').map((entry) => trustedProxyEntry(entry.trim(), key));
}

function publicUrl(raw: string, key: string): string {
  const value = raw.trim();
  if (value === '') return '';
  const example = 'such as https://lapis.example.com or https://example.com/lapis';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${key} must be an absolute URL with its scheme, ${example}; got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${key} must start with http:// or https://, ${example}; got "${value}"`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${key} must not carry a query, fragment or credentials, ${example}; got "${value}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A signed offset such as `400d`, `-2h`, `90m`, `30s` or `0`, in milliseconds. */
function noticeDays(raw: string, key: string): string {
  try {
    parseNoticeDays(raw);
  } catch (error) {
    throw new ConfigError(`${key}: ${(error as Error).message}`);
  }
  return raw;
}

export function parseOffset(raw: string, key: string): number {
  const match = /^\s*([+-]?\d+)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!match) throw new ConfigError(`${key} must look like 400d, -2h, 90m or 30s, got "${raw}"`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  return Number(match[1]) * unit;
}

function key<T>(definition: KeyDefinition<T>): KeyDefinition<T> {
  return definition;
}

/** Every setting Lapis reads. `docs/configuration.md` is generated from this table. */
export const configSchema = {
  port: key({ env: 'LAPIS_PORT', description: 'TCP port the server listens on.', default: 8080, parse: integer(0, 65535) }),
  host: key({
    env: 'LAPIS_HOST',
    description: 'Address the server binds to. Use 0.0.0.0 to accept connections from other machines.',
    default: '127.0.0.1',
    parse: text,
  }),
  dataDir: key({
    env: 'LAPIS_DATA_DIR',
    description: 'Directory for the SQLite database, generated secrets and the initial admin password.',
    default: './.lapis',
    parse: text,
  }),
  databaseUrl: key({
    env: 'LAPIS_DATABASE_URL',
    description:
      'Where data lives. Empty: the SQLite file `lapis.db` in the data directory, with its audit log beside it in `lapis.audit.db`. `sqlite:/path/file.db` picks another file (audit log: `/path/file.audit.db`); `postgres://user@host:5432/db` selects PostgreSQL, which several instances can share (`?schema=name` keeps the tables in that schema).',
    default: '',
    defaultText: '(SQLite file in the data directory)',
    parse: databaseUrl,
  }),
  logLevel: key({
    env: 'LAPIS_LOG_LEVEL',
    description: 'Minimum level of log lines written to standard output.',
    default: 'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  }),
  publicUrl: key({
    env: 'LAPIS_PUBLIC_URL',
    description:
      'Base URL clients use to reach this server (used in `url` fields, links and redirects), e.g. `https://lapis.example.com` or, behind a reverse proxy that serves Lapis under a path and strips it, `https://example.com/lapis`. Empty: derived from the request Host header.',
    default: '',
    parse: publicUrl,
  }),
  shutdownTimeoutMs: key({
    env: 'LAPIS_SHUTDOWN_TIMEOUT_MS',
    description: 'How long a graceful shutdown waits for in-flight requests before closing connections.',
    default: 10_000,
    parse: integer(0, 600_000),
  }),
  heapGrowthPercent: key({
    env: 'LAPIS_HEAP_GROWTH_PERCENT',
    description:
      "How far `lapis serve` lets V8's old generation grow past what its last full collection kept before collecting again, in percent. Under steady load V8's own factor (0 keeps it) lets promoted garbage pile up to several times the live heap; 20 keeps resident memory flat near the live size, at no measurable throughput cost (docs/benchmarks.md).",
    default: 20,
    parse: integer(0, 400),
  }),
  bodyLimitBytes: key({
    env: 'LAPIS_BODY_LIMIT_BYTES',
    description: 'Largest request body accepted, in bytes.',
    default: 1_048_576,
    parse: integer(1024, 104_857_600),
  }),
  headersTimeoutMs: key({
    env: 'LAPIS_HEADERS_TIMEOUT_MS',
    description:
      'How long a client may take to send the request line and headers before the connection is closed (at most the request timeout).',
    default: 15_000,
    parse: integer(100, 600_000),
  }),
  requestTimeoutMs: key({
    env: 'LAPIS_REQUEST_TIMEOUT_MS',
    description:
      'How long a client may take to send a whole request, body included, before it gets 408 and the connection is closed.',
    default: 30_000,
    parse: integer(100, 3_600_000),
  }),
  keepAliveTimeoutMs: key({
    env: 'LAPIS_KEEP_ALIVE_TIMEOUT_MS',
    description:
      "How long an idle keep-alive connection stays open between requests. Behind a load balancer, set it above the balancer's idle timeout.",
    default: 5_000,
    parse: integer(100, 600_000),
  }),
  connectionTimeoutMs: key({
    env: 'LAPIS_CONNECTION_TIMEOUT_MS',
    description: 'How long a connection may stay silent (no bytes either way) before it is closed.',
    default: 60_000,
    parse: integer(100, 3_600_000),
  }),
  maxConnections: key({
    env: 'LAPIS_MAX_CONNECTIONS',
    description: 'Open connections one instance accepts; connections beyond it are closed at once, until others end.',
    default: 1_000,
    parse: integer(1, 1_000_000),
  }),
  maxRequestsPerSocket: key({
    env: 'LAPIS_MAX_REQUESTS_PER_SOCKET',
    description: 'Requests one keep-alive connection may carry before the server closes it (0: no limit).',
    default: 10_000,
    parse: integer(0, 100_000_000),
  }),
  trustProxy: key({
    env: 'LAPIS_TRUST_PROXY',
    description:
      "Which reverse proxies may tell the client address and protocol (X-Forwarded-For, X-Forwarded-Proto). `false`: none, the connection's peer is the client. A number: that many proxies in front of Lapis (`true` means 1); the client is the address that many hops back, never an entry the client wrote itself. A comma-separated list of proxy addresses, CIDR ranges, `loopback`, `linklocal` or `uniquelocal`: hops from those addresses are skipped. Client addresses key the sign-in and token throttles.",
    default: false as TrustedProxies,
    parse: trustedProxies,
  }),
  tokenSecret: key({
    env: 'LAPIS_TOKEN_SECRET',
    description:
      'Key for the HMAC-SHA-256 under which token hashes are stored (at least 32 bytes, hex or base64). Empty: generated once into `token.key` in the data directory. Every instance sharing a database needs the same value.',
    default: '',
    defaultText: '(generated into the data directory)',
    parse: text,
  }),
  tokenSecretFile: key({
    env: 'LAPIS_TOKEN_SECRET_FILE',
    description:
      'File holding the token key (as LAPIS_TOKEN_SECRET, e.g. a mounted secret); used when LAPIS_TOKEN_SECRET is empty. It must exist: Lapis never generates it.',
    default: '',
    parse: text,
  }),
  sessionSecret: key({
    env: 'LAPIS_SESSION_SECRET',
    description:
      'Key that encrypts the sign-in session cookie (32 bytes, hex or base64). Empty: generated once into `session.key` in the data directory. Every instance behind one load balancer needs the same value.',
    default: '',
    defaultText: '(generated into the data directory)',
    parse: text,
  }),
  sessionSecretFile: key({
    env: 'LAPIS_SESSION_SECRET_FILE',
    description:
      'File holding the session key (as LAPIS_SESSION_SECRET); used when LAPIS_SESSION_SECRET is empty. It must exist: Lapis never generates it.',
    default: '',
    parse: text,
  }),
  sessionMaxAgeHours: key({
    env: 'LAPIS_SESSION_MAX_AGE_HOURS',
    description:
      'Absolute lifetime of a web sign-in, in hours, counted from the moment of signing in; activity does not extend it. After it the user signs in again.',
    default: 12,
    parse: integer(1, 8_760),
  }),
  authFailureLimit: key({
    env: 'LAPIS_AUTH_FAILURE_LIMIT',
    description:
      'Rejected tokens allowed per client address in one window, and failed passwords per client address and username (five times as many per address across all usernames); beyond it the answer is 429 with Retry-After. Failures from one address never block the same user from another. Valid credentials are never counted.',
    default: 20,
    parse: integer(1, 1_000_000),
  }),
  authFailureWindowSeconds: key({
    env: 'LAPIS_AUTH_FAILURE_WINDOW_SECONDS',
    description: 'Length of the window in which failed authentications are counted.',
    default: 60,
    parse: integer(1, 86_400),
  }),
  anonymous: key({
    env: 'LAPIS_ANONYMOUS',
    description:
      'How a request without valid credentials is answered when it does not send `X-TFS-FedAuthRedirect: Suppress`. `203` (as Azure DevOps does for GET/POST): 203 Non-Authoritative Information with an HTML sign-in page. `401`: always a plain 401 with the JSON error.',
    default: '203' as '203' | '401',
    parse: oneOf('203', '401'),
  }),
  patMaxLifetimeDays: key({
    env: 'LAPIS_PAT_MAX_LIFETIME_DAYS',
    description: 'Longest lifetime a personal access token may be given, in days (Azure DevOps allows one year).',
    default: 365,
    parse: integer(1, 36_500),
  }),
  patDefaultLifetimeDays: key({
    env: 'LAPIS_PAT_DEFAULT_LIFETIME_DAYS',
    description: 'Lifetime of a personal access token created without an explicit expiry, in days.',
    default: 30,
    parse: integer(1, 36_500),
  }),
  auditRetentionDays: key({
    env: 'LAPIS_AUDIT_RETENTION_DAYS',
    description:
      'How long audit log entries are kept, in days; older ones are pruned at start and every hour (Azure DevOps keeps 90).',
    default: 90,
    parse: integer(1, 36_500),
  }),
  auditFlushMs: key({
    env: 'LAPIS_AUDIT_FLUSH_MS',
    description:
      'How long recorded audit events wait, at most, before they are written together, in milliseconds (64 waiting events are written at once). Requests never wait for the write; a clean stop writes what is pending.',
    default: 200,
    parse: integer(1, 60_000),
  }),
  acceptLegacyPats: key({
    env: 'LAPIS_ACCEPT_LEGACY_PATS',
    description: 'Accept 52-character legacy tokens (imported with `lapis pat import`) as well as the 84-character form.',
    default: true,
    parse: flag,
  }),
  authCacheMs: key({
    env: 'LAPIS_AUTH_CACHE_MS',
    description:
      'How long a verified token stays cached in memory, in milliseconds. It bounds how late another process or instance sees a revocation (this process sees its own at once).',
    default: 500,
    parse: integer(0, 1000),
  }),
  oauthCodeLifetimeSeconds: key({
    env: 'LAPIS_OAUTH_CODE_LIFETIME_SECONDS',
    description:
      'How long an OAuth authorization code can be exchanged for tokens, in seconds. Codes are single-use; presenting one twice revokes everything issued from it.',
    default: 300,
    parse: integer(10, 3600),
  }),
  oauthRefreshTokenLifetimeDays: key({
    env: 'LAPIS_OAUTH_REFRESH_TOKEN_LIFETIME_DAYS',
    description:
      'How long an unused OAuth refresh token stays valid, in days. Every refresh returns a new refresh token with a fresh lifetime and ends the old one.',
    default: 90,
    parse: integer(1, 3650),
  }),
  oauthRefreshRetrySeconds: key({
    env: 'LAPIS_OAUTH_REFRESH_RETRY_SECONDS',
    description:
      'For how many seconds after a refresh a client that lost the answer may present the same refresh token again and get the same new refresh token (RFC 9700 §4.14.2), as long as that new token is unused. After this window, or once the new token was used, presenting the old one again counts as a replay and revokes the authorization. 0 turns retries off.',
    default: 30,
    parse: integer(0, 300),
  }),
  oauthKeysFile: key({
    env: 'LAPIS_OAUTH_KEYS_FILE',
    description:
      'File holding the ES256 keys that sign OAuth access tokens (created with mode 0600 on first use; `lapis keys rotate` adds a new one). Empty: `oauth-keys.json` in the data directory. Every instance sharing a database needs the same file.',
    default: '',
    defaultText: '(`oauth-keys.json` in the data directory)',
    parse: text,
  }),
  clockOffset: key({
    env: 'LAPIS_CLOCK_OFFSET',
    description:
      "Testing aid: shifts the server's notion of now (e.g. `400d`, `-2h`, `90m`), so tools can be tested against expired tokens. Logged loudly at start.",
    default: 0,
    defaultText: '`0`',
    parse: parseOffset,
  }),
  leakReportsPerMinute: key({
    env: 'LAPIS_LEAK_REPORTS_PER_MINUTE',
    description:
      'How many leak reports (`POST /_apis/tokens/leaks`, up to 100 tokens each) one client address may send per minute; beyond it, 429 with Retry-After.',
    default: 30,
    parse: integer(1, 100_000),
  }),
  webhookIntervalMs: key({
    env: 'LAPIS_WEBHOOK_INTERVAL_MS',
    description:
      'How often each instance sends the webhook deliveries that are due, in milliseconds. Failed deliveries are retried after 10 s, 1 min, 5 min, 30 min and 2 h, then marked failed.',
    default: 5000,
    parse: integer(100, 600_000),
  }),
  webhookAllowPrivateTargets: key({
    env: 'LAPIS_WEBHOOK_ALLOW_PRIVATE_TARGETS',
    description:
      'Allow webhook URLs that resolve to loopback, private, link-local or unique-local addresses. Off by default, so an organization admin cannot make the server call its own network.',
    default: false,
    parse: flag,
  }),
  tokenExpiryNoticeDays: key({
    env: 'LAPIS_TOKEN_EXPIRY_NOTICE_DAYS',
    description:
      'Days before a token expires at which a `token.expiring` webhook goes out, comma-separated. Each notice is sent once per token, by one instance.',
    default: '30,7,1',
    parse: noticeDays,
  }),
  iisBasicAuth: key({
    env: 'LAPIS_IIS_BASIC_AUTH',
    description:
      'Emulate an Azure DevOps Server whose IIS Basic Authentication is on: Basic credentials are checked as username:password, and personal access tokens sent over Basic stop working.',
    default: false,
    parse: flag,
  }),
  metrics: key({
    env: 'LAPIS_METRICS',
    description:
      '`GET /metrics` in Prometheus text. `off`: no such route. `on`: open to anyone who can reach the port (only behind a network boundary). `token`: only with `Authorization: Bearer` and the value of LAPIS_METRICS_TOKEN.',
    default: 'off' as 'off' | 'on' | 'token',
    parse: oneOf('off', 'on', 'token'),
  }),
  metricsToken: key({
    env: 'LAPIS_METRICS_TOKEN',
    description: 'The bearer secret the scraper sends when LAPIS_METRICS is `token` (at least 32 characters).',
    default: '',
    parse: text,
  }),
  redisUrl: key({
    env: 'LAPIS_REDIS_URL',
    description:
      'Redis (`redis://host:port/db`, optionally `?keyPrefix=name:`, default `lapis:`) that every instance shares for per-token rate limits and failed-authentication counters. Empty: rate limits count in each process (exact for one instance only); failure counts live in PostgreSQL when the store is PostgreSQL, and in each process on SQLite.',
    default: '',
    parse: redisUrl,
  }),
  tokenExpiryWarningDays: key({
    env: 'LAPIS_TOKEN_EXPIRY_WARNING_DAYS',
    description:
      "Within this many days of a credential's expiry, API answers carry `X-Lapis-Token-Expiry-Warning` (beside `X-Lapis-Token-Expires-At`, always sent). 0 turns the warning off.",
    default: 7,
    parse: integer(0, 365),
  }),
  usageTrailSize: key({
    env: 'LAPIS_USAGE_TRAIL_SIZE',
    description: "How many distinct client addresses (with the user agent each sent last) a token's usage trail keeps.",
    default: 5,
    parse: integer(1, 50),
  }),
  usageFlushMs: key({
    env: 'LAPIS_USAGE_FLUSH_MS',
    description:
      'How often the usage trail gathered in memory is written to the database, in milliseconds. Requests never write it themselves; a stop writes what is left.',
    default: 5000,
    parse: integer(100, 600_000),
  }),
} as const;

export type ConfigSchema = typeof configSchema;
export type ConfigKey = keyof ConfigSchema;
export type Config = Readonly<{ [K in ConfigKey]: ConfigSchema[K]['default'] }>;

export function resolveDataPath(config: Pick<Config, 'dataDir'>, ...parts: string[]): string {
  const base = isAbsolute(config.dataDir) ? config.dataDir : resolve(process.cwd(), config.dataDir);
  return resolve(base, ...parts);
}
