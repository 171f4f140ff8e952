import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = 'test/fixtures/reporter/vitest.fixture.config.ts';

/** Runs Vitest on one fixture in a child process and returns its exit code and CI's count line. */
function runFixture(file: string, env: Record<string, string> = {}): { status: number | null; line: string | undefined } {
  const result = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', config, file], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  const line = result.stdout.split('\n').find((text) => /^tests: \d+ passed, \d+ failed/.test(text));
  return { status: result.status, line };
}

describe('the count line CI reads', () => {
  it('counts a passing file as passed', () => {
    expect(runFixture('test/fixtures/reporter/passing.fixture.ts')).toEqual({
      status: 0,
      line: 'tests: 1 passed, 0 failed, 0 skipped',
    });
  });

  it.each([
    ['a failing beforeAll', 'before-all', 'tests: 0 passed, 1 failed, 1 skipped'],
    ['a failing afterAll', 'after-all', 'tests: 1 passed, 1 failed, 0 skipped'],
    ['an unhandled error', 'unhandled', 'tests: 1 passed, 1 failed, 0 skipped'],
    ['a file that fails to load', 'import-fails', 'tests: 0 passed, 1 failed, 0 skipped'],
  ])('counts %s as failed', (_label, fixture, line) => {
    const run = runFixture(`test/fixtures/reporter/${fixture}.fixture.ts`);
    expect(run.status).not.toBe(0);
    expect(run.line).toBe(line);
  });

  it('counts a failing global setup as failed (PostgreSQL unreachable under CI)', () => {
    const run = runFixture('test/fixtures/reporter/passing.fixture.ts', {
      CI: 'yes',
      LAPIS_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none',
    });
    expect(run.status).not.toBe(0);
    expect(run.line).toBe('tests: 0 passed, 1 failed, 0 skipped');
  });
});
