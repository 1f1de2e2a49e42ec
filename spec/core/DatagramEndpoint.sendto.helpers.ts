/**
 * Shared by the DatagramEndpoint sendto specs (DatagramEndpoint.sendto.*.spec.ts): routes the
 * exceptions the transport reports to a list, fresh for each test.
 */
import { setExceptionHandler, type ExceptionContext } from '../../src/core/exceptionHandler';

/**
 * Installs an exception handler around each test of the calling describe block and returns the
 * list it records to, emptied before each test.
 */
export function useReportedExceptions(): ExceptionContext[] {
  const reported: ExceptionContext[] = [];
  beforeEach(() => {
    reported.length = 0;
    setExceptionHandler((context) => reported.push(context));
  });
  afterEach(() => {
    setExceptionHandler(null);
  });
  return reported;
}
