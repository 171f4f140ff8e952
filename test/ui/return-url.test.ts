import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lapis } from '../../src/app.js';
import { maxReturnUrlLength, safeReturnUrl, signInPath } from '../../src/http/ui/return-url.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { formFields, httpBrowser } from '../support/http-browser.js';

const [sqlite] = backends();
const password = 'return-url-password-1';

/** Pieces that normalisation, decoding and browsers' URL parsing treat specially; the path-like ones weigh most. */
const pathPiece = fc.constantFrom('/', '//', '\\', '.', '..', '%2e', '%2E', '%2e%2e', '%2f', '%5c', 'evil.example');
const oddPiece = fc.constantFrom(
  '%252e',
  '%09',
  '%0a',
  '\t',
  '\n',
  ' ',
  'a',
  ':',
  '@',
  '?',
  '#',
  'http:',
  '\u3002',
  '\uff0f',
  '\u0000',
);
const trickyUrl = fc
  .array(fc.oneof({ arbitrary: pathPiece, weight: 4 }, { arbitrary: oddPiece, weight: 1 }), { maxLength: 10 })
  .map((pieces) => pieces.join(''));

function staysHome(returnUrl: string): void {
  const result = safeReturnUrl(returnUrl);
  expect(result.startsWith('/')).toBe(true);
  expect(result.startsWith('//')).toBe(false);
  expect(result.length).toBeLessThanOrEqual(maxReturnUrlLength);
  // As a browser resolves a Location header against the page it came from.
  expect(new URL(result, 'https://lapis.example/some/page').host).toBe('lapis.example');
  expect(safeReturnUrl(result)).toBe(result);
}

describe('the return URL after sign-in', () => {
  it('is a path on this server for any input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          trickyUrl,
          trickyUrl.map((url) => `/${url}`),
          fc.string(),
          fc.webUrl(),
        ),
        (url) => staysHome(url),
      ),
      { numRuns: 20_000 },
    );
  });

  it('keeps plain paths, query and fragment', () => {
    expect(safeReturnUrl('/_admin/users?x=1#top')).toBe('/_admin/users?x=1#top');
    expect(safeReturnUrl('/a/../b')).toBe('/b');
  });

  it('drops long return URLs instead of echoing them', () => {
    const long = `/contoso/_usersSettings/tokens?q=${'a'.repeat(maxReturnUrlLength)}`;
    expect(safeReturnUrl(long)).toBe('/');
    expect(signInPath(long)).toBe('/_signin');
    expect(signInPath('/x?y=1')).toBe('/_signin?returnUrl=%2Fx%3Fy%3D1');
  });
});

describe('sign-in redirects through a listening server', () => {
  let lapis: Lapis;
  let baseUrl: string;
  let browser: ReturnType<typeof httpBrowser>;

  beforeAll(async () => {
    lapis = await testApp(await sqlite!.open());
    await lapis.services.users.add({ username: 'alice', password });
    baseUrl = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
    browser = httpBrowser(baseUrl);
    const form = await browser.get('/_signin');
    const signedIn = await browser.post('/_signin', {
      ...formFields(await form.text(), '/_signin'),
      username: 'alice',
      password,
    });
    expect(signedIn.status).toBe(303);
  });
  afterAll(async () => {
    await lapis.app.close();
    await sqlite!.cleanup();
  });

  const offSite = [
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/%2E%2E//evil.example',
    '/a/..//evil.example',
    '/a/b/../..//evil.example',
    '/.\\/evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '//evil.example',
    '///evil.example',
    'https://evil.example',
    '/\t/evil.example',
  ];

  it.each(offSite)('a signed-in visit to /_signin?returnUrl=%j stays on this server (encoded)', async (returnUrl) => {
    const response = await browser.get(`/_signin?returnUrl=${encodeURIComponent(returnUrl)}`);
    expect(response.status).toBe(303);
    const location = response.headers.get('location') ?? '';
    expect(new URL(location, baseUrl).origin).toBe(new URL(baseUrl).origin);
    expect(location.startsWith('//')).toBe(false);
  });

  it.each(['/.//evil.example', '/..//evil.example', '/%2e//evil.example', '/a/..//evil.example', '%2F.%2F%2Fevil.example'])(
    'a signed-in visit to /_signin?returnUrl=%s stays on this server (as typed)',
    async (returnUrl) => {
      const response = await browser.get(`/_signin?returnUrl=${returnUrl}`);
      expect(response.status).toBe(303);
      expect(new URL(response.headers.get('location') ?? '', baseUrl).origin).toBe(new URL(baseUrl).origin);
    },
  );

  it('bounds the sign-in Location header: a long URL sends a signed-out visitor to the plain sign-in page', async () => {
    const anonymous = httpBrowser(baseUrl);
    const short = await anonymous.get('/_admin/users?page=2');
    expect(short.headers.get('location')).toBe('/_signin?returnUrl=%2F_admin%2Fusers%3Fpage%3D2');
    const long = await anonymous.get(`/_admin/users?filter=${'%2F'.repeat(2000)}`);
    expect(long.status).toBe(303);
    expect(long.headers.get('location')).toBe('/_signin');
  });
});
