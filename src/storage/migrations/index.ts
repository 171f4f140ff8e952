import { foundation } from './001-foundation.js';
import { personalAccessTokens } from './002-personal-access-tokens.js';
import { builds } from './003-builds.js';
import { oauth } from './004-oauth.js';
import { buildTags } from './005-build-tags.js';
import type { LapisMigration } from './dialect.js';

/** Every migration, in order. Append only: a released migration never changes. */
export const migrations: readonly LapisMigration[] = [foundation, personalAccessTokens, builds, oauth, buildTags];
