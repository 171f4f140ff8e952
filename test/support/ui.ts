import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** The CSRF token of the first form in a page. */
export function csrfToken(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('the page has no CSRF field');
  return match[1];
}

/** Form fields; an array repeats the field, as checkboxes sharing a name do. */
export type FormFields = Record<string, string | readonly string[]>;

function urlencoded(fields: FormFields): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const each of typeof value === 'string' ? [value] : value) body.append(name, each);
  }
  return body.toString();
}

/** A browser-like client over inject(): keeps the session cookie and can submit forms with their token. */
export function uiClient(app: FastifyInstance, remoteAddress = '127.0.0.1') {
  let session: string | undefined;

  function remember(response: LightMyRequestResponse): LightMyRequestResponse {
    const cookie = response.cookies.find((c) => c.name === 'lapis_session');
    if (cookie) session = cookie.value === '' ? undefined : cookie.value;
    return response;
  }

  const headers = () => (session ? { cookie: `lapis_session=${encodeURIComponent(session)}` } : {});

  const client = {
    async get(url: string) {
      return remember(await app.inject({ method: 'GET', url, headers: headers(), remoteAddress }));
    },
    /** Posts urlencoded fields as given: no token is added. */
    async postRaw(url: string, fields: FormFields) {
      return remember(
        await app.inject({
          method: 'POST',
          url,
          headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: urlencoded(fields),
          remoteAddress,
        }),
      );
    },
    /** Loads `formPage` for its CSRF token, then posts the fields with it, as a browser would. */
    async submit(formPage: string, action: string, fields: FormFields) {
      const page = await client.get(formPage);
      return client.postRaw(action, { _csrf: csrfToken(page.body), ...fields });
    },
    async signIn(username: string, password: string, returnUrl?: string) {
      return client.submit('/_signin', '/_signin', { username, password, ...(returnUrl !== undefined && { returnUrl }) });
    },
    hasSession: () => session !== undefined,
  };
  return client;
}
