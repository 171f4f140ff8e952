import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason, TestSuite } from 'vitest/node';

/**
 * Prints the plain `N passed, N failed, N skipped` line that CI reads (it does not parse Vitest's summary).
 * A failure outside any test (a throwing beforeAll/afterAll, a file that fails to load, an unhandled error,
 * a failing global setup) counts as failed, so the line can never read green over a red run.
 */
export default class CountReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      failed += hookFailures(module);
    }
    failed += unhandledErrors.length;
    if (reason === 'failed' && failed === 0) failed = 1;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

/** Errors that belong to a file or a suite rather than a test: hooks, and a file that does not load. */
function hookFailures(module: TestModule): number {
  const suites: Array<TestModule | TestSuite> = [module, ...module.children.allSuites()];
  const errors = suites.reduce((sum, suite) => sum + suite.errors().length, 0);
  if (errors > 0) return errors;
  const anyTestFailed = [...module.children.allTests()].some((test) => test.result().state === 'failed');
  return module.state() === 'failed' && !anyTestFailed ? 1 : 0;
}
