import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * What the official clients carry about each REST call, read from their own modules in node_modules:
 * azure-devops-node-api hard-codes each call's location GUID and area; azure-devops-extension-api hard-codes
 * its route template. Both are independent of Lapis, so tests can hold Lapis's registry against them.
 */

export interface NodeApiCall {
  client: string;
  method: string;
  verb: string;
  area: string;
  locationId: string;
  apiVersion: string;
  routeKeys: string[];
}

export interface ExtensionApiCall {
  client: string;
  method: string;
  verb: string;
  routeTemplate: string;
  apiVersion: string;
}

const require = createRequire(import.meta.url);
const restVerbs: Record<string, string> = {
  get: 'GET',
  create: 'POST',
  update: 'PATCH',
  replace: 'PUT',
  del: 'DELETE',
  options: 'OPTIONS',
};

/** Splits a compiled client class into its methods (four-space indented `name(args) {` blocks). */
function methods(source: string): Array<{ name: string; body: string }> {
  const header = /^ {4}(\w+)\([^)]*\) \{$/gm;
  const found: Array<{ name: string; start: number }> = [];
  for (let match = header.exec(source); match; match = header.exec(source)) {
    found.push({ name: match[1] ?? '', start: match.index });
  }
  return found.map((entry, index) => ({ name: entry.name, body: source.slice(entry.start, found[index + 1]?.start) }));
}

export function nodeApiCalls(): NodeApiCall[] {
  const folder = dirname(require.resolve('azure-devops-node-api/WebApi.js'));
  const calls: NodeApiCall[] = [];
  for (const file of readdirSync(folder).filter((name) => /Api(Base)?\.js$/.test(name))) {
    for (const { name, body } of methods(readFileSync(join(folder, file), 'utf8'))) {
      const versioning = /getVersioningData\("([^"]+)", "([^"]+)", "([0-9a-fA-F-]{36})"/.exec(body);
      if (!versioning) continue;
      const verb = /this\.rest\.(get|create|update|replace|del|options)\(/.exec(body)?.[1];
      const routeValues = /let routeValues = \{([^}]*)\}/.exec(body)?.[1] ?? '';
      calls.push({
        client: file.replace(/\.js$/, ''),
        method: name,
        verb: verb ? (restVerbs[verb] ?? verb) : 'OTHER',
        apiVersion: versioning[1] ?? '',
        area: versioning[2] ?? '',
        locationId: (versioning[3] ?? '').toLowerCase(),
        routeKeys: [...routeValues.matchAll(/(\w+):/g)].map((key) => key[1] ?? ''),
      });
    }
  }
  return calls;
}

export function extensionApiCalls(): ExtensionApiCall[] {
  const folder = dirname(require.resolve('azure-devops-extension-api'));
  const calls: ExtensionApiCall[] = [];
  for (const area of readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const files = readdirSync(join(folder, area.name)).filter((name) => /Client\.js$/.test(name) && !name.endsWith('.min.js'));
    for (const file of files) {
      for (const { name, body } of methods(readFileSync(join(folder, area.name, file), 'utf8'))) {
        const routeTemplate = /routeTemplate: "([^"]+)"/.exec(body)?.[1];
        const apiVersion = /apiVersion: "([^"]+)"/.exec(body)?.[1];
        if (!routeTemplate || !apiVersion) continue;
        calls.push({
          client: file.replace(/\.js$/, ''),
          method: name,
          verb: /method: "(\w+)"/.exec(body)?.[1] ?? 'GET',
          routeTemplate,
          apiVersion,
        });
      }
    }
  }
  return calls;
}
