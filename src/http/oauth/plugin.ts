import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { FailureThrottle } from '../../services/failure-throttle.js';
import type { OAuthTokenService } from '../../services/oauth-tokens.js';
import type { SigningKeys } from '../../services/signing-keys.js';
import { sendOAuthError } from '../errors.js';
import { ClientAddressThrottle } from './client-throttle.js';
import { registerMetadata } from './metadata.js';
import { registerTokenEndpoint } from './token-endpoint.js';

export interface OAuthRoutesOptions {
  tokens: OAuthTokenService;
  signingKeys: SigningKeys;
  /** LAPIS_PUBLIC_URL: the issuer; empty derives it from the request. */
  publicUrl: string;
  /** Counts failed client authentications per address. */
  clientThrottle: FailureThrottle;
}

/**
 * The OAuth endpoints, encapsulated: only form bodies are parsed here (JSON and everything else is an
 * `invalid_request`), and errors are answered in the OAuth shape, not the Azure DevOps one.
 */
export const oauthRoutes: FastifyPluginAsync<OAuthRoutesOptions> = async (app, options) => {
  app.removeAllContentTypeParsers();
  await app.register(formbody);
  app.setErrorHandler((error, request, reply) => sendOAuthError(request, reply, error));
  registerTokenEndpoint(app, {
    tokens: options.tokens,
    publicUrl: options.publicUrl,
    throttle: new ClientAddressThrottle(options.clientThrottle),
  });
  registerMetadata(app, { signingKeys: options.signingKeys, publicUrl: options.publicUrl });
};
