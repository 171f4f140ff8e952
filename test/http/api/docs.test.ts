import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scopeCatalog } from '../../../src/domain/scopes.js';
import { apiLocations } from '../../../src/http/api/areas/index.js';
import { renderApiDoc } from '../../../src/http/api/render-docs.js';
import { renderScopesDoc } from '../../../src/http/api/render-scopes-doc.js';

describe('docs/api.md', () => {
  it('is generated from the registry and up to date (run `npm run docs`)', () => {
    const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderApiDoc(apiLocations));
    for (const location of apiLocations) {
      expect(doc).toContain(location.id);
      for (const operation of Object.values(location.operations)) {
        for (const scope of operation?.scopes ?? []) expect(doc).toContain(`\`${scope}\``);
      }
    }
  });
});

describe('docs/scopes.md', () => {
  it('is generated from the scope catalog and the registry and up to date (run `npm run docs`)', () => {
    const doc = readFileSync(new URL('../../../docs/scopes.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderScopesDoc(apiLocations));
    for (const scope of scopeCatalog) expect(doc).toContain(`| \`${scope.id}\` | ${scope.title}`);
    // The builds list needs vso.build, and vso.build_execute opens it through what it includes.
    expect(doc).toMatch(/\| `vso\.build` \| Build \(read\)[^\n]*\| [^|]*`GET \{project\}\/_apis\/build\/builds\/\{buildId\}`/);
    expect(doc).toMatch(
      /\| `vso\.build_execute` \|[^\n]*`vso\.build`[^\n]*\|[^\n]*`GET \{project\}\/_apis\/build\/builds\/\{buildId\}`/,
    );
  });
});
