import type { Clock } from '../../src/domain/clock.js';
import type { Store } from '../../src/storage/ports.js';
import { type ApiFixture, apiFixture } from './api.js';
import { testApp } from './app.js';
import { accessTokenFor } from './oauth.js';

export interface TokenApiServer {
  lapis: Awaited<ReturnType<typeof testApp>>;
  fixture: ApiFixture;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** An OAuth access token of alice's with `vso.tokens`, obtained through the code flow: who may call the PAT APIs. */
  bearer: string;
}

/** The real app on a loopback port, with the API fixture and a caller for the token management APIs. */
export async function tokenApiServer(
  store: Store,
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<TokenApiServer> {
  const lapis = await testApp(store, options);
  const fixture = await apiFixture(lapis);
  const bearer = await accessTokenFor(lapis, fixture.alice, 'vso.tokens');
  const url = await lapis.app.listen({ port: 0, host: '127.0.0.1' });
  return { lapis, fixture, url, bearer };
}
