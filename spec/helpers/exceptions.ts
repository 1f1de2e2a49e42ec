/**
 * What reaches the exception handler (`setExceptionHandler`) during a test: errors that have no
 * caller to go to. A test takes the reports it expects; anything else fails it.
 */
import { setExceptionHandler, type ExceptionContext } from '../../src/core/exceptionHandler';

/** The reports of the running test. */
export interface ExceptionReports {
  /** Removes and returns what was reported since the test began (or since the last `take`). */
  take(): ExceptionContext[];
}

/**
 * Collects what reaches the exception handler during each test of the enclosing `describe`, and
 * fails the test if anything arrived that the test did not take (with `take()`).
 */
export function useExceptionReports(): ExceptionReports {
  let reports: ExceptionContext[] = [];
  beforeEach(() => {
    reports = [];
    setExceptionHandler((context) => reports.push(context));
  });
  afterEach(() => {
    setExceptionHandler(null);
    const unexpected = reports.map((r) => `${r.message}: ${String(r.exception)}`);
    reports = [];
    expect(unexpected).toEqual([]);
  });
  return {
    take: () => reports.splice(0),
  };
}

/**
 * For property runs, where bad input is reported many times on purpose: collects what reaches
 * the exception handler during each test, without failing on it. Tests read `reports` (and may
 * empty it between runs).
 */
export function collectExceptionReports(): { reports: ExceptionContext[] } {
  const collected = { reports: [] as ExceptionContext[] };
  beforeEach(() => {
    collected.reports = [];
    setExceptionHandler((context) => collected.reports.push(context));
  });
  afterEach(() => {
    setExceptionHandler(null);
  });
  return collected;
}
