import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuedTokens, OAuthTokenService } from '../../services/oauth-tokens.js';
import { parseAuthorization } from '../auth/authorization-header.js';
import { baseUrl } from '../base-url.js';
import type { ClientAddressThrottle } from './client-throttle.js';
import { parseTokenRequest, type TokenForm, type TokenRequest } from './token-request.js';

export interface TokenEndpointOptions {
  tokens: OAuthTokenService;
  publicUrl: string;
  throttle: ClientAddressThrottle;
}

function parse(request: FastifyRequest): TokenRequest {
  return parseTokenRequest(request.body, parseAuthorization(request.headers.authorization));
}

function exchange(tokens: OAuthTokenService, tokenRequest: TokenRequest, issuer: string): Promise<IssuedTokens> {
  return tokenRequest.grant === 'code'
    ? tokens.exchangeCode({ ...tokenRequest.exchange, issuer })
    : tokens.refresh({ ...tokenRequest.exchange, issuer });
}

/**
 * Azure DevOps answers its own form with `token_type: jwt-bearer` and `expires_in` as a string; Lapis
 * sends a number, which every client seen parses, and `Bearer` for the standard form.
 */
function answer(reply: FastifyReply, issued: IssuedTokens, form: TokenForm): FastifyReply {
  return reply
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .send({
      access_token: issued.accessToken,
      token_type: form === 'azureDevOps' ? 'jwt-bearer' : 'Bearer',
      expires_in: issued.expiresIn,
      refresh_token: issued.refreshToken,
      scope: issued.scopes.join(' '),
    });
}

/** `POST /oauth2/token`: parse the form, refuse throttled clients, run the exchange (client authentication, checks, issue), answer. */
export function registerTokenEndpoint(app: FastifyInstance, options: TokenEndpointOptions): void {
  app.post('/oauth2/token', async (request, reply) => {
    const tokenRequest = parse(request);
    await options.throttle.check(request);
    try {
      const issued = await exchange(options.tokens, tokenRequest, baseUrl(request, options.publicUrl));
      return answer(reply, issued, tokenRequest.form);
    } catch (error) {
      await options.throttle.record(request, error);
      throw error;
    }
  });
}
