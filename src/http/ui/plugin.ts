import fastifyCookie from '@fastify/cookie';
import fastifyCsrfProtection from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifySecureSession from '@fastify/secure-session';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../domain/clock.js';
import type { AuditLog } from '../../services/audit.js';
import type { LeakReportService } from '../../services/leak-reports.js';
import type { OAuthAppService } from '../../services/oauth-apps.js';
import type { OAuthAuthorizationService } from '../../services/oauth-authorization.js';
import type { OAuthGrantService } from '../../services/oauth-grants.js';
import type { OrganizationPolicyService } from '../../services/org-policies.js';
import type { OrganizationTokenService } from '../../services/organization-tokens.js';
import type { OrganizationService } from '../../services/organizations.js';
import type { SignInService } from '../../services/sign-in.js';
import type { TokenRotationService } from '../../services/token-rotations.js';
import type { TokenUsageTrail } from '../../services/token-usage.js';
import type { TokenService } from '../../services/tokens.js';
import type { UserService } from '../../services/users.js';
import type { WebSessionService } from '../../services/web-sessions.js';
import type { WebhookService } from '../../services/webhooks.js';
import { basePathOf, prefixHtmlPaths, prefixLocation } from './base-path.js';
import { sendErrorPage } from './error-pages.js';
import { accountRoutes } from './routes/account.js';
import { adminArea } from './routes/admin.js';
import { appsArea } from './routes/apps.js';
import { authorizationRoutes } from './routes/authorizations.js';
import { homeRoutes } from './routes/home.js';
import { oauthAuthorizeRoutes } from './routes/oauth-authorize.js';
import { organizationSettingsArea } from './routes/organization-tokens.js';
import { signInRoutes } from './routes/sign-in.js';
import { userSettingsArea } from './routes/user-settings.js';
import { helmetOptions } from './security-headers.js';
import { currentUser } from './session.js';
import { sessionCookieOptions } from './session-cookie.js';
import { staticFiles } from './static-files.js';

export interface UiOptions {
  config: Pick<Config, 'sessionMaxAgeHours' | 'patMaxLifetimeDays' | 'patDefaultLifetimeDays' | 'publicUrl'>;
  /** 32 bytes that encrypt the session cookie. */
  sessionKey: Buffer;
  clock: Clock;
  users: UserService;
  organizations: OrganizationService;
  signIn: SignInService;
  sessions: WebSessionService;
  tokens: TokenService;
  tokenRotations: Pick<TokenRotationService, 'rotate' | 'rotationOf' | 'inGrace'>;
  usage: Pick<TokenUsageTrail, 'trailOf'>;
  oauth: OAuthAuthorizationService;
  oauthApps: OAuthAppService;
  oauthGrants: OAuthGrantService;
  webhooks: WebhookService;
  leaks: LeakReportService;
  audit: AuditLog;
  policies: OrganizationPolicyService;
  organizationTokens: OrganizationTokenService;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The web UI. Registered without fastify-plugin, so its session, CSRF, form parsing, headers and error
 * pages stay inside this context and never touch the REST routes.
 */
export async function uiPlugin(app: FastifyInstance, options: UiOptions): Promise<void> {
  const basePath = basePathOf(options.config.publicUrl);
  await app.register(fastifyCookie);
  await app.register(fastifySecureSession, sessionCookieOptions(options.config, options.sessionKey));
  await app.register(fastifyFormbody);
  await app.register(fastifyHelmet, helmetOptions);
  await app.register(fastifyCsrfProtection, { sessionPlugin: '@fastify/secure-session' });
  app.decorate('uiSessions', options.sessions);
  app.decorateRequest('uiSignedIn', null);
  app.setErrorHandler(sendErrorPage);
  if (basePath) {
    app.addHook('onSend', async (_request, reply, payload) => {
      const location = reply.getHeader('location');
      if (typeof location === 'string') reply.header('location', prefixLocation(basePath, location));
      const type = reply.getHeader('content-type');
      if (typeof payload !== 'string' || typeof type !== 'string' || !type.startsWith('text/html')) return payload;
      return prefixHtmlPaths(basePath, payload);
    });
  }

  // Registered before the hooks below, which a child context only inherits when added before it: the
  // stylesheet needs no user lookup.
  await app.register(staticFiles, { prefix: '/_static' });

  app.addHook('onRequest', async (request) => {
    await currentUser(request);
  });
  app.addHook('preHandler', (request, reply, done) => {
    if (safeMethods.has(request.method)) return done();
    app.csrfProtection(request, reply, done);
  });

  signInRoutes(app, options.signIn);
  accountRoutes(app, options.users, options.sessions);
  homeRoutes(app, options.organizations);
  await app.register(adminArea, {
    prefix: '/_admin',
    users: options.users,
    organizations: options.organizations,
    webhooks: options.webhooks,
    leaks: options.leaks,
    audit: options.audit,
    policies: options.policies,
  });
  await app.register(userSettingsArea, {
    prefix: '/:organization/_usersSettings',
    tokens: options.tokens,
    tokenRotations: options.tokenRotations,
    usage: options.usage,
    organizations: options.organizations,
    clock: options.clock,
    policies: options.policies,
    policy: { maxLifetimeDays: options.config.patMaxLifetimeDays, defaultLifetimeDays: options.config.patDefaultLifetimeDays },
  });
  await app.register(organizationSettingsArea, {
    prefix: '/:organization/_settings',
    organizations: options.organizations,
    organizationTokens: options.organizationTokens,
    tokenRotations: options.tokenRotations,
    clock: options.clock,
  });
  oauthAuthorizeRoutes(app, options.oauth);
  authorizationRoutes(app, options.oauthGrants, options.oauthApps);
  await app.register(appsArea, { prefix: '/app', apps: options.oauthApps, publicUrl: options.config.publicUrl });
}
