import type { TokenRestrictions } from './token-restrictions.js';

/** Timestamps are ISO-8601 UTC strings (`2026-11-27T21:25:08.000Z`) everywhere above storage. */
export type Timestamp = string;

export interface User {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  passwordHash: string | null;
  isAdmin: boolean;
  disabledAt: Timestamp | null;
  createdAt: Timestamp;
}

export interface Organization {
  id: string;
  name: string;
  ownerId: string;
  createdAt: Timestamp;
}

export type ProjectVisibility = 'private' | 'public';
export const projectVisibilities: readonly ProjectVisibility[] = ['private', 'public'];

export type ProjectState = 'new' | 'wellFormed' | 'deleting' | 'createPending' | 'deleted';

export type SourceControlType = 'Git' | 'Tfvc';
export const sourceControlTypes: readonly SourceControlType[] = ['Git', 'Tfvc'];

export interface Project {
  id: string;
  organizationId: string;
  name: string;
  description: string;
  visibility: ProjectVisibility;
  state: ProjectState;
  revision: number;
  lastUpdateTime: Timestamp;
  sourceControlType: SourceControlType;
  /** The process template (Agile, Scrum, Basic, CMMI) by its Azure DevOps id. */
  processTemplateId: string;
}

/** A team of a project; every project has exactly one default team. */
export interface Team {
  id: string;
  organizationId: string;
  projectId: string;
  name: string;
  description: string;
  isDefault: boolean;
  createdAt: Timestamp;
}

/** A custom project property: any JSON value under a case-insensitive name. */
export interface ProjectProperty {
  name: string;
  value: unknown;
}

/** A long-running change as Azure DevOps reports it; Lapis acts synchronously, so operations are born finished. */
export interface Operation {
  id: string;
  organizationId: string;
  status: 'succeeded' | 'failed';
  resultMessage: string | null;
  createdAt: Timestamp;
}

export interface PersonalAccessToken {
  /** The authorization id (GUID) Azure DevOps shows for a token. */
  id: string;
  userId: string;
  displayName: string;
  scopes: readonly string[];
  /** The one organization the token works in, or null for "All accessible organizations". */
  organizationId: string | null;
  validFrom: Timestamp;
  validTo: Timestamp;
  createdAt: Timestamp;
  revokedAt: Timestamp | null;
  lastUsedAt: Timestamp | null;
  /** HMAC-SHA-256 of the token text under the server secret, hex. The text itself is never stored. */
  tokenHash: string;
  /** Projects, read-only, client addresses and rate; absent or empty when the token has none. */
  restrictions?: TokenRestrictions;
}
