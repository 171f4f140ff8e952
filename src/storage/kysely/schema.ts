/** Row shapes as stored. Flags are integers (0/1) and times ISO-8601 text, identical on both backends. */
export interface UsersTable {
  id: string;
  username: string;
  username_key: string;
  display_name: string;
  email: string | null;
  password_hash: string | null;
  is_admin: number;
  disabled_at: string | null;
  created_at: string;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  name_key: string;
  owner_id: string;
  created_at: string;
}

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  added_at: string;
}

export interface ProjectsTable {
  id: string;
  organization_id: string;
  name: string;
  name_key: string;
  description: string;
  visibility: string;
  state: string;
  revision: number;
  last_update_time: string;
  source_control_type: string;
  process_template_id: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface KeyFingerprintsTable {
  purpose: string;
  fingerprint: string;
  recorded_at: string;
}

export interface PatRevocationRulesTable {
  id: string;
  organization_id: string;
  /** Space-separated. */
  scopes: string;
  created_before: string;
  created_by: string;
  created_at: string;
}

export interface PersonalAccessTokensTable {
  id: string;
  user_id: string;
  display_name: string;
  /** Space-separated, as Azure DevOps writes scopes. */
  scopes: string;
  organization_id: string | null;
  valid_from: string;
  valid_to: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  token_hash: string;
  /** JSON of the token's restrictions; null when it has none (migration 012). */
  restrictions: string | null;
}

export interface OAuthAppsTable {
  id: string;
  owner_id: string;
  name: string;
  company: string;
  website: string;
  description: string;
  /** Space-separated: a URL cannot hold a raw space. */
  callback_urls: string;
  scopes: string;
  secret_hash: string;
  secret_created_at: string;
  created_at: string;
  /** 1: a public client, which proves itself with PKCE and has no usable secret. */
  is_public: number;
}

export interface OAuthGrantsTable {
  id: string;
  app_id: string;
  user_id: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
}

export interface OAuthCodesTable {
  code_hash: string;
  grant_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface OAuthRefreshTokensTable {
  token_hash: string;
  grant_id: string;
  client_authenticated: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface FailureCountersTable {
  key: string;
  window_started_at: string;
  failures: number;
}

export interface CountersTable {
  scope: string;
  name: string;
  value: number;
}

export interface OperationsTable {
  id: string;
  organization_id: string;
  status: string;
  result_message: string | null;
  created_at: string;
}

export interface BuildDefinitionsTable {
  organization_id: string;
  id: number;
  project_id: string;
  name: string;
  name_key: string;
  path: string;
  path_key: string;
  revision: number;
  queue_status: string;
  build_number_format: string;
  created_date: string;
  modified_date: string;
  authored_by: string;
  deleted: number;
  /** JSON of DefinitionSettings. */
  settings: string;
  /** Lower-cased copies of settings.repository.id/type and settings.queue.id, for the list filters. */
  repository_id: string | null;
  repository_type: string | null;
  queue_id: string | null;
}

export interface BuildDefinitionRevisionsTable {
  organization_id: string;
  definition_id: number;
  revision: number;
  /** JSON of the whole BuildDefinition as it was at that revision. */
  snapshot: string;
}

export interface BuildsTable {
  organization_id: string;
  id: number;
  project_id: string;
  definition_id: number;
  definition_revision: number;
  build_number: string;
  build_number_revision: number | null;
  status: string;
  result: string | null;
  reason: string;
  priority: string;
  queue_time: string;
  /** `notYet` (a far-future sentinel) until the build starts. */
  start_time: string;
  /** `notYet` until the build finishes. */
  finish_time: string;
  source_branch: string;
  source_version: string;
  requested_for: string;
  requested_by: string;
  last_changed_by: string;
  last_changed_date: string;
  /** JSON array of demand strings. */
  demands: string;
  parameters: string | null;
  template_parameters: string;
  trigger_info: string;
  retained_by_release: number;
  keep_forever: number;
  deleted: number;
  deleted_date: string | null;
  deleted_by: string | null;
}

export interface WebSessionsTable {
  id: string;
  user_id: string;
  secret_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  client_address: string;
  user_agent: string;
}

/** One row per tag of a build; `tag_key` is the lower-cased tag, unique per build. */
export interface BuildTagsTable {
  organization_id: string;
  build_id: number;
  tag: string;
  tag_key: string;
}

export interface TeamsTable {
  id: string;
  organization_id: string;
  project_id: string;
  name: string;
  name_key: string;
  description: string;
  is_default: number;
  created_at: string;
}

export interface ProjectPropertiesTable {
  project_id: string;
  name: string;
  name_key: string;
  /** JSON text of the value. */
  value: string;
}

export interface Database {
  users: UsersTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  projects: ProjectsTable;
  lapis_meta: MetaTable;
  key_fingerprints: KeyFingerprintsTable;
  personal_access_tokens: PersonalAccessTokensTable;
  pat_revocation_rules: PatRevocationRulesTable;
  oauth_apps: OAuthAppsTable;
  oauth_grants: OAuthGrantsTable;
  oauth_codes: OAuthCodesTable;
  oauth_refresh_tokens: OAuthRefreshTokensTable;
  counters: CountersTable;
  failure_counters: FailureCountersTable;
  operations: OperationsTable;
  build_definitions: BuildDefinitionsTable;
  build_definition_revisions: BuildDefinitionRevisionsTable;
  builds: BuildsTable;
  web_sessions: WebSessionsTable;
  teams: TeamsTable;
  project_properties: ProjectPropertiesTable;
  build_tags: BuildTagsTable;
  retention_leases: RetentionLeasesTable;
  build_folders: BuildFoldersTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  token_expiry_notices: TokenExpiryNoticesTable;
  leak_settings: LeakSettingsTable;
  token_usage: TokenUsageTable;
  token_rotations: TokenRotationsTable;
  audit_log: AuditLogTable;
  organization_policies: OrganizationPoliciesTable;
}

export interface AuditLogTable {
  id: string;
  timestamp: string;
  organization_id: string | null;
  action: string;
  actor_id: string | null;
  actor_name: string;
  via: string | null;
  ip_address: string | null;
  details: string;
  /** JSON text. */
  data: string;
}

export interface OrganizationPoliciesTable {
  organization_id: string;
  policy: string;
  mode: string;
  max_days: number | null;
  /** JSON array of user ids. */
  allowed_user_ids: string;
  updated_at: string;
}

export interface RetentionLeasesTable {
  organization_id: string;
  id: number;
  project_id: string;
  definition_id: number;
  run_id: number;
  owner_id: string;
  created_on: string;
  valid_until: string;
  protect_pipeline: number;
}

export interface BuildFoldersTable {
  organization_id: string;
  project_id: string;
  path: string;
  path_key: string;
  description: string;
  created_by: string;
  created_on: string;
  last_changed_by: string;
  last_changed_date: string;
}

export interface WebhooksTable {
  id: string;
  organization_id: string;
  url: string;
  /** The signing secret sealed with a key derived from the token secret (AES-256-GCM). */
  secret_sealed: string;
  /** Space-separated event names. */
  events: string;
  created_at: string;
  created_by: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  /** Set while one instance is sending it, so two instances never send the same delivery at once. */
  claimed_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface TokenExpiryNoticesTable {
  token_id: string;
  days: number;
  sent_at: string;
}

export interface LeakSettingsTable {
  organization_id: string;
  /** 1 or 0; an organization without a row revokes leaked tokens. */
  auto_revoke: number;
}

export interface TokenUsageTable {
  token_id: string;
  client_address: string;
  user_agent: string;
  first_used_at: string;
  last_used_at: string;
}

export interface TokenRotationsTable {
  token_id: string;
  successor_id: string;
  user_id: string;
  idempotency_key_hash: string | null;
  request_hash: string;
  grace_seconds: number;
  grace_ends_at: string;
  /** The successor's text sealed with a key derived from the token secret; null once the replay window passed. */
  successor_sealed: string | null;
  replay_until: string;
  created_at: string;
  ended_at: string | null;
}
