// Prints "N passed, N failed" for .ci/run, summed over the jest --json reports named in argv
// (one per Node.js version). A missing or unreadable report counts as one failure, and so does
// a spec file that failed to load; then, or when no report is named, the exit code is 1.
// Skipped and todo tests are counted as ", N skipped", so that none goes unnoticed.
// Each report's own figures go to stderr, worded so that only the total reads as the summary.
import { readFileSync } from 'node:fs';

/** The figures of one report, or null when it is missing or not a jest report. */
function readReport(path) {
  try {
    const report = JSON.parse(readFileSync(path, 'utf8'));
    const { numPassedTests, numFailedTests, numRuntimeErrorTestSuites = 0 } = report;
    const { numPendingTests = 0, numTodoTests = 0 } = report;
    if (!Number.isInteger(numPassedTests) || !Number.isInteger(numFailedTests)) return null;
    return {
      passed: numPassedTests,
      // A spec file that fails to load runs no test; it still counts as a failure.
      failed: numFailedTests + numRuntimeErrorTestSuites,
      skipped: numPendingTests + numTodoTests,
    };
  } catch {
    return null;
  }
}

const paths = process.argv.slice(2);
const total = { passed: 0, failed: paths.length === 0 ? 1 : 0, skipped: 0 };
let unreadable = paths.length === 0;
for (const path of paths) {
  const figures = readReport(path);
  if (figures === null) {
    unreadable = true;
    total.failed += 1;
    console.error(`jest report ${path}: missing or unreadable (counted as 1 failure)`);
    continue;
  }
  total.passed += figures.passed;
  total.failed += figures.failed;
  total.skipped += figures.skipped;
  console.error(
    `jest report ${path}: ${figures.passed} tests passed; ${figures.failed} failed; ` +
      `${figures.skipped} skipped`,
  );
}
const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
if (unreadable) process.exitCode = 1;
