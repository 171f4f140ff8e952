import type { FastifyInstance } from 'fastify';
import { jwtBearerGrantType } from '../../domain/oauth.js';
import { scopeCatalog } from '../../domain/scopes.js';
import type { SigningKeys } from '../../services/signing-keys.js';
import { baseUrl } from '../base-url.js';

export interface MetadataOptions {
  signingKeys: SigningKeys;
  publicUrl: string;
}

const offeredScopes = scopeCatalog.filter((scope) => !scope.internal).map((scope) => scope.id);

/** RFC 8414 server metadata and the public keys that verify access tokens. */
export function registerMetadata(app: FastifyInstance, options: MetadataOptions): void {
  app.get('/.well-known/oauth-authorization-server', async (request, reply) => {
    const base = baseUrl(request, options.publicUrl);
    return reply.header('Cache-Control', 'public, max-age=300').send({
      issuer: base,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      response_types_supported: ['code', 'Assertion'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', jwtBearerGrantType],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: offeredScopes,
    });
  });

  // Short caching: a rotated key must reach verifiers well within the hour its predecessor stays valid.
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=60').send({ keys: await options.signingKeys.publicJwks() }),
  );
}
