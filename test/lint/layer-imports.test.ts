import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// [file, imported module]: each one breaks a rule of docs/architecture.md and must fail `biome check`.
const leaks: [string, string][] = [
  ['src/domain/leak.ts', 'node:fs'],
  ['src/domain/leak.ts', '../services/tokens.js'],
  ['src/domain/leak.ts', 'kysely'],
  ['src/services/leak.ts', '../storage/sqlite/open.js'],
  ['src/services/leak.ts', '../http/errors.js'],
  ['src/services/leak.ts', '../compose.js'],
  ['src/storage/leak.ts', '../services/tokens.js'],
  ['src/storage/kysely/leak.ts', '../../http/errors.js'],
  ['src/http/leak.ts', '../storage/kysely/store.js'],
  ['src/http/ui/leak.ts', '../../storage/postgres/open.js'],
  ['src/http/ui/leak.ts', '../../app.js'],
  ['src/http/api/areas/core/leak.ts', '../build/builds.js'],
  ['src/http/api/areas/core/leak.ts', 'fastify'],
  ['src/http/api/areas/core/leak.ts', '../../../../storage/ports.js'],
  ['src/cli/commands/leak.ts', '../../http/errors.js'],
  ['src/cli/commands/leak.ts', '../../app.js'],
  ['src/cli/leak.ts', '../storage/sqlite/open.js'],
];

// The imports each layer is allowed, so the rules are not simply "everything fails".
const allowed: [string, string][] = [
  ['src/domain/fine.ts', './errors.js'],
  ['src/services/fine.ts', '../storage/ports.js'],
  ['src/services/fine.ts', 'node:crypto'],
  ['src/http/api/areas/core/fine.ts', '../../registry.js'],
  ['src/http/api/areas/core/fine.ts', './projects.js'],
  ['src/http/api/areas/core/fine.ts', '../../../../domain/errors.js'],
  ['src/cli/commands/fine.ts', '../../compose.js'],
  ['src/cli/commands/fine.ts', './app.js'],
];

/** Lints the given files with the project's biome.json in a scratch tree: nothing is written into the checkout. */
function lint(files: [string, string][]): Map<string, string[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'lapis-lint-'));
  scratchDirs.push(scratch);
  const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
  delete config.$schema;
  config.vcs = { enabled: false };
  writeFileSync(join(scratch, 'biome.json'), JSON.stringify(config));
  files.forEach(([file, module], index) => {
    const path = join(scratch, file.replace(/\.ts$/, `-${index}.ts`));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `export * from '${module}';\n`);
  });
  const run = spawnSync(join(root, 'node_modules/.bin/biome'), ['lint', '--reporter=json', '.'], {
    cwd: scratch,
    encoding: 'utf8',
  });
  const report = JSON.parse(run.stdout) as { diagnostics: { category: string; location: { path: string } }[] };
  const found = new Map<string, string[]>();
  for (const diagnostic of report.diagnostics) {
    found.set(diagnostic.location.path, [...(found.get(diagnostic.location.path) ?? []), diagnostic.category]);
  }
  return found;
}

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the layer rules of docs/architecture.md', () => {
  it('fail biome on every deliberate leak and pass the allowed imports', () => {
    const found = lint([...leaks, ...allowed]);
    leaks.forEach(([file, module], index) => {
      expect(found.get(file.replace(/\.ts$/, `-${index}.ts`)), `${file} importing ${module}`).toEqual([
        'lint/style/noRestrictedImports',
      ]);
    });
    allowed.forEach(([file, module], offset) => {
      expect(found.get(file.replace(/\.ts$/, `-${leaks.length + offset}.ts`)), `${file} importing ${module}`).toBeUndefined();
    });
  });
});
