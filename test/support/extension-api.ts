import { createRequire } from 'node:module';

/**
 * Loads azure-devops-extension-api, which is written for browsers, in Node: its CommonJS build works once
 * `self` exists (its whatwg-fetch polyfill looks there and finds Node 20's own fetch). The ESM build's
 * extensionless imports do not resolve in Node, so the CommonJS one is used.
 */
export function loadExtensionApi() {
  (globalThis as { self?: unknown }).self ??= globalThis;
  const require = createRequire(import.meta.url);
  return {
    accounts: require('azure-devops-extension-api/Accounts') as typeof import('azure-devops-extension-api/Accounts'),
    build: require('azure-devops-extension-api/Build') as typeof import('azure-devops-extension-api/Build'),
    core: require('azure-devops-extension-api/Core') as typeof import('azure-devops-extension-api/Core'),
    locations: require('azure-devops-extension-api/Locations') as typeof import('azure-devops-extension-api/Locations'),
    profile: require('azure-devops-extension-api/Profile') as typeof import('azure-devops-extension-api/Profile'),
    operations: require('azure-devops-extension-api/Operations') as typeof import('azure-devops-extension-api/Operations'),
  };
}

/** Client options as an extension host would give them: the collection URL and an authorization header. */
export function clientOptions(collectionUrl: string, authorization: string) {
  return {
    rootPath: `${collectionUrl}/`,
    authTokenProvider: { getAuthorizationHeader: async () => authorization },
  };
}
