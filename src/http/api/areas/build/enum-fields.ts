import {
  buildPriorities,
  buildReasons,
  buildResults,
  buildStatuses,
  definitionChangeTypes,
  definitionQualities,
  definitionQueueStatuses,
  definitionTriggerTypes,
  definitionTypes,
  jobAuthorizationScopes,
} from '../../../../domain/builds.js';
import type { EnumTable } from '../../../../domain/enums.js';

/** Dotted paths of an answer to the enum table of the value there (see `enums` in the registry). */
type EnumFields = Readonly<Record<string, EnumTable<string>>>;

/** The enums of a DefinitionReference, as builds and definitions carry it at `prefix`. */
function definitionReferenceEnums(prefix: string): EnumFields {
  return { [`${prefix}queueStatus`]: definitionQueueStatuses, [`${prefix}type`]: definitionTypes };
}

/** The enums of a Build at `prefix` (a definition's `latestBuild.` too). */
function buildEnumsAt(prefix: string): EnumFields {
  return {
    [`${prefix}status`]: buildStatuses,
    [`${prefix}result`]: buildResults,
    [`${prefix}reason`]: buildReasons,
    [`${prefix}priority`]: buildPriorities,
    ...definitionReferenceEnums(`${prefix}definition.`),
  };
}

/** Where a Build holds enums, for `enumsAsNumbers` (the extension client's BuildClient reads numbers). */
export const buildEnums: EnumFields = buildEnumsAt('');

/** Where a BuildDefinition (or a list item of one) holds enums, its latest builds included. */
export const definitionEnums: EnumFields = {
  ...definitionReferenceEnums(''),
  quality: definitionQualities,
  jobAuthorizationScope: jobAuthorizationScopes,
  'triggers.triggerType': definitionTriggerTypes,
  ...buildEnumsAt('latestBuild.'),
  ...buildEnumsAt('latestCompletedBuild.'),
};

export const definitionRevisionEnums: EnumFields = { changeType: definitionChangeTypes };
