import type { User } from './entities.js';

export type CredentialKind = 'pat' | 'oauth' | 'session' | 'password';

/** Who a request is, once a credential has been identified; whether it may act is decided by `authorization.ts`. */
export interface Principal {
  user: User;
  credential: CredentialKind;
  /** Effective scopes: the granted ones, everything they inherit from, and `vso.base`. */
  scopes: ReadonlySet<string>;
  /** Authorization id of the PAT or OAuth grant that authenticated the request. */
  authorizationId?: string;
  /** The organization a PAT is limited to; null for global tokens and other credentials. */
  organizationId: string | null;
  /** Ids of the organizations the user belongs to, loaded with the credential. */
  memberOf: ReadonlySet<string>;
  /** Set when the PAT breaks an organization token policy in warn mode; sent back as X-Lapis-Policy-Warning. */
  policyWarning?: string;
}
