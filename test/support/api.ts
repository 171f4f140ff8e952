import type { Lapis } from '../../src/app.js';
import type { Organization, Project, User } from '../../src/domain/entities.js';

export interface ApiFixture {
  alice: User;
  organization: Organization;
  project: Project;
  /** Creates a PAT for alice in the fixture organization and returns its text. */
  pat(scope: string, organizationId?: string | null): Promise<string>;
}

/** alice, member and owner of `contoso`, which holds the project `web`. */
export async function apiFixture(lapis: Pick<Lapis, 'services'>): Promise<ApiFixture> {
  const { services } = lapis;
  const alice = await services.users.add({ username: 'alice', displayName: 'Alice Liddell', email: 'alice@example.test' });
  const organization = await services.organizations.add('contoso', 'alice');
  const project = await services.projects.add(organization.id, { name: 'web', description: 'The web site' });
  return {
    alice,
    organization,
    project,
    async pat(scope, organizationId = organization.id) {
      const created = await services.tokens.create({ user: alice, displayName: scope, scope, organizationId, days: 30 });
      return created.text;
    },
  };
}

/** `Authorization: Basic base64(":" + pat)` plus the Suppress header API clients send. */
export function basic(pat: string, user = ''): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(`${user}:${pat}`).toString('base64')}`,
    'x-tfs-fedauthredirect': 'Suppress',
  };
}

export interface CallOptions {
  pat?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** `inject` with a PAT (Suppress included) and a JSON body. */
export function caller(app: Lapis['app']) {
  return (method: string, url: string, options: CallOptions = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(options.pat && basic(options.pat)),
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && {
        payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      }),
    });
}
