import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiLocations } from '../../../src/http/api/areas/index.js';
import { renderApiDoc } from '../../../src/http/api/render-docs.js';

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
