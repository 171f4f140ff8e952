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
}

export interface MetaTable {
  key: string;
  value: string;
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
}

export interface Database {
  users: UsersTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  projects: ProjectsTable;
  lapis_meta: MetaTable;
  personal_access_tokens: PersonalAccessTokensTable;
}
