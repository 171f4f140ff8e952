import type { ApiLocation } from '../registry.js';
import { accountsLocation } from './account/accounts.js';
import { buildReleaseAliasLocation, buildsLocation } from './build/builds.js';
import { definitionsLocation } from './build/definitions.js';
import { buildTagsLocation, definitionTagsLocation, projectTagsLocation } from './build/tags.js';
import { projectsLocation } from './core/projects.js';
import { connectionDataLocation, resourceAreasLocation } from './location/locations.js';
import { operationsLocation } from './operations/operations.js';
import { profilesLocation } from './profile/profiles.js';

/** Every REST resource Lapis serves. Adding an area: a folder under areas/ and its locations here. */
export const apiLocations: readonly ApiLocation[] = [
  resourceAreasLocation,
  connectionDataLocation,
  operationsLocation,
  projectsLocation,
  definitionsLocation,
  buildsLocation,
  buildReleaseAliasLocation,
  buildTagsLocation,
  definitionTagsLocation,
  projectTagsLocation,
  profilesLocation,
  accountsLocation,
];
