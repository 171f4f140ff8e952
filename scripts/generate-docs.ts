import { writeFileSync } from 'node:fs';
import { renderConfigurationDoc } from '../src/config/render-docs.js';
import { apiLocations } from '../src/http/api/areas/index.js';
import { renderApiDoc } from '../src/http/api/render-docs.js';
import { renderScopesDoc } from '../src/http/api/render-scopes-doc.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigurationDoc());
console.log('wrote docs/configuration.md');
writeFileSync(new URL('../docs/api.md', import.meta.url), renderApiDoc(apiLocations));
console.log('wrote docs/api.md');
writeFileSync(new URL('../docs/scopes.md', import.meta.url), renderScopesDoc(apiLocations));
console.log('wrote docs/scopes.md');
