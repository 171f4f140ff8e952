/**
 * A browser over Node's fetch against a listening server: keeps cookies, follows no redirect on its
 * own (so each Location can be checked), and submits forms with the page's CSRF token.
 */
export function httpBrowser(baseUrl: string) {
  const cookies = new Map<string, string>();

  function remember(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }

  const cookieHeader = (): Record<string, string> =>
    cookies.size === 0 ? {} : { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') };

  return {
    /** The Cookie header this browser sends, for requests made outside it (an API call from a page's script). */
    cookieHeader,
    async get(path: string): Promise<Response> {
      return remember(await fetch(new URL(path, baseUrl), { headers: cookieHeader(), redirect: 'manual' }));
    },
    async post(path: string, fields: Record<string, string> | [string, string][]): Promise<Response> {
      return remember(
        await fetch(new URL(path, baseUrl), {
          method: 'POST',
          headers: { ...cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
          redirect: 'manual',
        }),
      );
    },
  };
}

/** The values of a page's form fields (hidden ones included), decoded from their HTML attributes. */
export function formFields(html: string, formAction: string): Record<string, string> {
  const form = new RegExp(
    `<form[^>]*action="${formAction.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</form>`,
  ).exec(html);
  if (!form?.[1]) throw new Error(`the page has no form posting to ${formAction}`);
  const fields: Record<string, string> = {};
  for (const input of form[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[input[1]!] = decodeHtml(input[2]!);
  }
  return fields;
}

function decodeHtml(text: string): string {
  return text.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}
