import Type from 'typebox';
import { DomainError } from '../../../../domain/errors.js';
import { isGuid } from '../../../../domain/guid.js';
import type { RotationResult } from '../../../../services/token-rotations.js';
import { type ApiLocation, type ApiRequestContext, operation } from '../../registry.js';
import { patToken, patTokenErrorFor } from './pat-token.js';

const rotateRequest = Type.Object({ graceSeconds: Type.Optional(Type.Unknown()) }, { additionalProperties: true });

function rotationAnswer(result: RotationResult) {
  return {
    patToken: patToken(result.successor, result.text),
    patTokenError: 'none',
    rotation: {
      rotatedAuthorizationId: result.rotation.tokenId,
      graceSeconds: result.rotation.graceSeconds,
      graceEndsAt: result.rotation.graceEndsAt,
      replayed: result.replayed,
    },
  };
}

/** The Idempotency-Key header, once; a repeated header is refused rather than guessed at. */
function idempotencyKeyOf(context: ApiRequestContext<unknown, unknown>): string | undefined {
  const value = context.request.headers['idempotency-key'];
  if (Array.isArray(value)) throw new DomainError('invalidInput', 'Send one Idempotency-Key header, not several.');
  return value;
}

/**
 * Lapis only: `POST {org}/_apis/tokens/pats/{authorizationId}/rotate`. The callers of the lifecycle API (never a
 * PAT). Refusals the lifecycle API also makes come back as it answers them (HTTP 200, `patTokenError`); those only
 * rotation makes are HTTP errors: 400 for the grace window or the key's form, 409 for a token rotated before, 422
 * for an Idempotency-Key sent before with another request.
 */
export const patRotationLocation: ApiLocation = {
  id: 'abe23304-5481-405f-84c7-45adb72c62bd',
  area: 'Tokens',
  resourceName: 'Rotate',
  routeTemplate: '_apis/{area}/Pats/{authorizationId}/{resource}',
  minVersion: '6.0',
  maxVersion: '7.2',
  releasedVersion: '0.0',
  resourceVersion: 1,
  operations: {
    POST: operation({
      scopes: ['vso.tokens'],
      accepts: ['oauth', 'session'],
      summary:
        'Lapis only: a successor with the same settings, returned once with its text; the old token keeps working for `graceSeconds` (0 to 604800), then stops. A retry with the same `Idempotency-Key` gets the same successor.',
      body: rotateRequest,
      bodyOptional: true,
      async handler(context) {
        const id = context.routeValues.authorizationId ?? '';
        if (!isGuid(id)) return { body: { patToken: null, patTokenError: 'invalidAuthorizationId', rotation: null } };
        if (context.body?.graceSeconds === undefined) {
          throw new DomainError('invalidInput', 'Say how long the old token keeps working: graceSeconds, 0 to 604800 (7 days).', {
            field: 'graceSeconds',
          });
        }
        const key = idempotencyKeyOf(context);
        const { user } = context.principal;
        try {
          const token = await context.services.tokens.getOwnedIn(user, context.organization.id, id);
          const result = await context.services.tokenRotations.rotate({
            token,
            user,
            graceSeconds: context.body.graceSeconds,
            idempotencyKey: key,
          });
          return { body: rotationAnswer(result) };
        } catch (error) {
          const inBand = patTokenErrorFor(error);
          if (inBand === undefined) throw error;
          return { body: { patToken: null, patTokenError: inBand, rotation: null } };
        }
      },
    }),
  },
};
