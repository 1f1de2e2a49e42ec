// Prints "N passed, N failed" from a jest --json report (path in argv[2]) for .ci/run.
// A missing or unreadable report counts as one failure, and the exit code is 1.
import { readFileSync } from 'node:fs';

try {
  const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const { numPassedTests, numFailedTests, numRuntimeErrorTestSuites = 0 } = report;
  if (!Number.isInteger(numPassedTests) || !Number.isInteger(numFailedTests)) {
    throw new Error('not a jest report');
  }
  // A spec file that fails to load runs no test; it still counts as a failure.
  console.log(`${numPassedTests} passed, ${numFailedTests + numRuntimeErrorTestSuites} failed`);
} catch {
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
}
