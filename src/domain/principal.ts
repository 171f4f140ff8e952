import type { Timestamp, User } from './entities.js';
import type { PrincipalRestrictions } from './token-restrictions.js';

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
  /** The scopes the credential was given, as a refusal names them (`scopes` adds what they imply). */
  grantedScopes?: readonly string[];
  /** A PAT's projects, methods, addresses and rate, loaded and cached with the token. */
  restrictions?: PrincipalRestrictions;
  /** When the credential stops working (a PAT's validTo, an access token's exp); absent when it has no end of its own. */
  expiresAt?: Timestamp;
  /** Set when the PAT breaks an organization token policy in warn mode; sent back as X-Lapis-Policy-Warning. */
  policyWarning?: string;
}
