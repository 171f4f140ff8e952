import type { ApiLocation } from '../registry.js';
import { accountsLocation } from './account/accounts.js';
import { auditLogLocation } from './audit/audit-log.js';
import { downloadLogLocation } from './audit/download-log.js';
import { buildArtifactsLocation, buildChangesLocation, buildWorkItemsLocation } from './build/build-links.js';
import { buildReleaseAliasLocation, buildsLocation } from './build/builds.js';
import { definitionRevisionsLocation } from './build/definition-revisions.js';
import { definitionsLocation } from './build/definitions.js';
import { foldersLocation } from './build/folders.js';
import { latestBuildLocation } from './build/latest.js';
import { buildLogsLocation } from './build/logs.js';
import { buildLeasesLocation, retentionLeasesLocation } from './build/retention-leases.js';
import { statusBadgeLocation } from './build/status-badge.js';
import { buildTagsLocation, definitionTagsLocation, projectTagsLocation } from './build/tags.js';
import { buildTimelineLocation } from './build/timeline.js';
import { processesLocation } from './core/processes.js';
import { projectCollectionsLocation } from './core/project-collections.js';
import { projectsLocation } from './core/projects.js';
import { projectPropertiesLocation } from './core/properties.js';
import { allTeamsLocation, teamMembersLocation, teamsLocation } from './core/teams.js';
import { avatarsLocation } from './graph/avatars.js';
import { graphUsersLocation } from './graph/users.js';
import { identitiesLocation } from './identities/identities.js';
import { explainLocation } from './lapis/explain.js';
import { connectionDataLocation, resourceAreasLocation } from './location/locations.js';
import { operationsLocation } from './operations/operations.js';
import { profilesLocation } from './profile/profiles.js';
import { personalAccessTokensLocation } from './tokenadmin/personal-access-tokens.js';
import { revocationRulesLocation } from './tokenadmin/revocation-rules.js';
import { revocationsLocation } from './tokenadmin/revocations.js';
import { patsLocation } from './tokens/pats.js';
import { patRotationLocation } from './tokens/rotate.js';
import { tokenSelfLocation } from './tokens/self.js';

/** Every REST resource Lapis serves. Adding an area: a folder under areas/ and its locations here. */
export const apiLocations: readonly ApiLocation[] = [
  resourceAreasLocation,
  connectionDataLocation,
  operationsLocation,
  projectsLocation,
  teamsLocation,
  teamMembersLocation,
  allTeamsLocation,
  projectPropertiesLocation,
  processesLocation,
  projectCollectionsLocation,
  definitionsLocation,
  buildsLocation,
  buildReleaseAliasLocation,
  buildLogsLocation,
  buildTimelineLocation,
  buildChangesLocation,
  buildArtifactsLocation,
  buildWorkItemsLocation,
  buildLeasesLocation,
  retentionLeasesLocation,
  latestBuildLocation,
  foldersLocation,
  statusBadgeLocation,
  definitionRevisionsLocation,
  buildTagsLocation,
  definitionTagsLocation,
  projectTagsLocation,
  profilesLocation,
  identitiesLocation,
  avatarsLocation,
  graphUsersLocation,
  accountsLocation,
  tokenSelfLocation,
  explainLocation,
  patsLocation,
  patRotationLocation,
  revocationRulesLocation,
  personalAccessTokensLocation,
  revocationsLocation,
  auditLogLocation,
  downloadLogLocation,
];
