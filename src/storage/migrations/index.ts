import { foundation } from './001-foundation.js';
import { personalAccessTokens } from './002-personal-access-tokens.js';
import { builds } from './003-builds.js';
import { oauth } from './004-oauth.js';
import { buildTags } from './005-build-tags.js';
import { webSessions } from './006-web-sessions.js';
import { keyFingerprints } from './007-key-fingerprints.js';
import { buildResources } from './008-build-resources.js';
import { teamsAndProjectProperties } from './009-teams-and-project-properties.js';
import { revocationRules } from './010-revocation-rules.js';
import { auditAndPolicies } from './011-audit-and-policies.js';
import { tokenRestrictions } from './012-token-restrictions.js';
import { tokenUsage } from './013-token-usage.js';
import { failureCounters } from './014-failure-counters.js';
import { webhooksAndLeaks } from './017-webhooks-and-leaks.js';
import { tokenRotations } from './019-token-rotations.js';
import { auditLogOwnFile } from './020-audit-log-own-file.js';
import type { LapisMigration } from './dialect.js';

/** Every migration, in order. Append only: a released migration never changes. */
export const migrations: readonly LapisMigration[] = [
  foundation,
  personalAccessTokens,
  builds,
  oauth,
  buildTags,
  webSessions,
  keyFingerprints,
  buildResources,
  teamsAndProjectProperties,
  revocationRules,
  auditAndPolicies,
  tokenRestrictions,
  tokenUsage,
  failureCounters,
  webhooksAndLeaks,
  tokenRotations,
  auditLogOwnFile,
];
