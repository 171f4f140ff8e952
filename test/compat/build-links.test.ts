import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

/** Every link in a document: `href`s of `_links`, `url` fields and `imageUrl`s, wherever they are nested. */
function linksIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) linksIn(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (['href', 'url', 'imageUrl', 'definitionUrl'].includes(key) && typeof child === 'string') found.add(child);
      else linksIn(child, found);
    }
  }
  return found;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`every link Lapis emits in the build area resolves, on ${backend.name}`, () => {
    let lapis: Lapis;
    let base: string;
    let pat: string;

    const get = (url: string, accept = 'application/json;api-version=7.1') =>
      fetch(url, {
        headers: { authorization: `Basic ${Buffer.from(`:${pat}`).toString('base64')}`, accept },
        redirect: 'follow',
      });

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      pat = await (await apiFixture(lapis)).pat('vso.build_execute vso.project vso.identity vso.graph');
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
    });

    it('follows every href and url of a build, a definition, a definition list and a build list: none is 4xx/5xx', async () => {
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${base}/contoso/web/_apis/${path}`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`:${pat}`).toString('base64')}`,
            'content-type': 'application/json',
            accept: 'application/json;api-version=7.1',
          },
          body: JSON.stringify(body),
        });
        expect(response.status, await response.clone().text()).toBe(200);
        return (await response.json()) as { id: number };
      };
      const definition = await post('build/definitions', { name: 'linked', path: '\\team' });
      const build = await post('build/builds', { definition: { id: definition.id } });
      const documents = await Promise.all(
        [
          `build/builds/${build.id}`,
          `build/definitions/${definition.id}`,
          'build/definitions',
          'build/builds',
          `build/definitions/${definition.id}/revisions`,
          'build/folders',
        ].map(async (path) => (await get(`${base}/contoso/web/_apis/${path}`)).json()),
      );
      const links = linksIn(documents);
      expect(links.size).toBeGreaterThan(10);
      const broken: string[] = [];
      for (const link of links) {
        const response = await get(link, '*/*');
        if (response.status >= 400) broken.push(`${response.status} ${link}`);
      }
      expect(broken).toEqual([]);
    });
  });
}
