import { describe, expect, it } from 'vitest';
import { apiLocations } from '../../src/http/api/areas/index.js';
import type { ApiLocation } from '../../src/http/api/registry.js';
import { extensionApiCalls, type NodeApiCall, nodeApiCalls } from '../support/client-modules.js';

/**
 * Lapis's registry held against what the official clients compile in: location GUIDs and areas from
 * azure-devops-node-api, route templates from azure-devops-extension-api. Neither source is Lapis's own.
 */

const nodeCalls = nodeApiCalls();
const extensionCalls = extensionApiCalls();

/** Locations no JavaScript client carries, and where their GUIDs come from instead. */
const sourcedElsewhere: Record<string, string> = {
  '9a1b74b4-2ca8-4a9f-8470-c2f2e6fdc949': 'operations: azure-devops-python, OperationsClient.get_operation',
  '229a6a53-b428-4ffb-a835-e8f36b5b4b1e': 'Accounts: the Go, Python and .NET clients (the JS clients call it without a GUID)',
  '28010c54-d0c0-4c89-a5b0-1c9e188b9fb7': 'IMS Identities: azure-devops-python IdentityClient.read_identities (IdentityRef.url)',
  '801eaf9c-0585-4be8-9cdb-b0efa074de91':
    'Graph Avatars: azure-devops-python GraphClient.get_avatar; route as azure-devops-extension-api GraphClient.getAvatar',
  '7e1c4f52-3b8a-4d0e-9c61-2a5f0d3b8e47': 'build-release alias: Lapis own (the document shows the URL; no client calls it)',
  '8d2e6f4a-91c3-4b57-a0e8-5f3c7b1d9e26': 'tokens/self: Lapis own (docs/compatibility.md, Lapis-only routes)',
  'c3f1a8e2-5b7d-4e9a-9f06-2d4b8a61e7c5': 'explain: Lapis own (docs/compatibility.md, Lapis-only routes)',
  'abe23304-5481-405f-84c7-45adb72c62bd': 'Tokens Pats rotate: Lapis own (docs/compatibility.md, Lapis-only routes)',
  '2c1965e2-28da-4aa1-bc64-b8a58537ae9b': 'Tokens Pats: the .NET TokensHttpClient (the JS clients have no Tokens client)',
  'ee4afb16-e7ab-4ed8-9d4b-4ef3e78f97e4': 'TokenAdmin RevocationRules: the Go and Python TokenAdmin clients',
  'af68438b-ed04-4407-9eb6-f1dbae3f922e': 'TokenAdmin PersonalAccessTokens: the Go and Python TokenAdmin clients',
  'a9c08b2c-5466-4e22-8626-1ff304ffdf0f': 'TokenAdmin Revocations: the Go and Python TokenAdmin clients',
  '005e26ec-6b77-4e4f-a986-b3827bf241f5':
    'Graph Users: azure-devops-python GraphClient.list_users / get_user; route as azure-devops-extension-api GraphClient.getUser',
  '4e5fa14f-7097-4b73-9c85-00abc7353c61': 'Audit AuditLog query: the Go and Python Audit clients (query_log)',
  'b7b98a76-04e8-4f4d-ac72-9d46492caaac': 'Audit DownloadLog: the Go and Python Audit clients (download_log)',
};

/** Client calls on a served location whose verb Lapis does not serve, each with the reason. */
const verbsNotServed: Record<string, string> = {
  'BuildApi.createArtifact': 'Lapis stores no build artifacts: POST builds/{id}/artifacts is not served (the list is empty)',
  'BuildApi.getArtifactContentZip': 'a raw-stream GET of an artifact; Lapis stores none (the artifact GET is 404)',
  'BuildApi.getFile': 'a raw-stream GET of an artifact file; Lapis stores no artifacts',
  'BuildApi.getBuildLog': 'a raw-stream GET (text/plain); no Lapis build has logs, so the GET is 404',
  'BuildApi.getBuildLogZip': 'a raw-stream GET (zip) of a log; no Lapis build has logs',
  'BuildApi.getBuildLogsZip': 'a raw-stream GET (zip) of all logs; no Lapis build has logs',
  'ProfileApi.createProfile': 'profiles are created by signing up, not by the API',
  'ProfileApi.updateProfile': 'profiles are read-only in Lapis',
};

function expandedTemplate(location: ApiLocation): string {
  return location.routeTemplate.replace('{area}', location.area).replace('{resource}', location.resourceName).toLowerCase();
}

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\*?(\w+)\}/g)].map((match) => match[1] ?? '');
}

function callsOf(location: ApiLocation): NodeApiCall[] {
  return nodeCalls.filter((call) => call.locationId === location.id.toLowerCase());
}

describe('the registry agrees with the official clients', () => {
  it('reads a plausible number of calls from both clients', () => {
    expect(nodeCalls.length).toBeGreaterThan(1000);
    expect(extensionCalls.length).toBeGreaterThan(1000);
  });

  it('serves every location under a GUID a client compiles in, or names the source of its GUID', () => {
    const unsourced = apiLocations
      .filter((location) => callsOf(location).length === 0 && !(location.id.toLowerCase() in sourcedElsewhere))
      .map((location) => `${location.area}/${location.resourceName} ${location.id}`);
    expect(unsourced).toEqual([]);
    const stale = Object.keys(sourcedElsewhere).filter(
      (id) => !apiLocations.some((location) => location.id.toLowerCase() === id),
    );
    expect(stale).toEqual([]);
  });

  it.each(
    apiLocations.filter((location) => callsOf(location).length > 0).map((location) => [location.resourceName, location] as const),
  )('%s: area, route template and route values match the clients', (_name, location) => {
    for (const call of callsOf(location)) {
      expect(call.area.toLowerCase(), `${call.client}.${call.method}`).toBe(location.area.toLowerCase());
      const served = placeholders(location.routeTemplate);
      for (const key of call.routeKeys) expect(served, `${call.client}.${call.method} passes {${key}}`).toContain(key);
      const twin = extensionCalls.find(
        (other) => other.method === call.method && other.client.replace(/(Rest)?Client$/, '') === call.client.replace(/Api$/, ''),
      );
      if (twin) expect(expandedTemplate(location), `${call.client}.${call.method}`).toBe(twin.routeTemplate.toLowerCase());
    }
  });

  it('serves every verb the client calls on a served location, or names why not', () => {
    const missing = apiLocations.flatMap((location) =>
      callsOf(location)
        .filter((call) => !(call.verb in location.operations))
        .map((call) => `${call.client}.${call.method}`),
    );
    expect(missing.sort()).toEqual(Object.keys(verbsNotServed).sort());
  });
});
