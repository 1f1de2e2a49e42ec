import type { CallSoon } from './callSoon.js';
import { callReporting } from './exceptionHandler.js';
import type { BaseProtocol } from './protocols.js';

/**
 * Schedules `connectionMade` for a later turn, never from the constructor or the factory's own
 * call [S1], then runs `after` (reading starts there). The promise resolves once both ran: the
 * factories resolve with the transport after it. What `connectionMade` throws is reported and
 * the transport stays as it is, as asyncio's loop does with a failing callback.
 * @internal
 */
export function announceConnection<T>(
  callSoon: CallSoon,
  transport: T,
  protocol: () => BaseProtocol<T>,
  after: () => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    callSoon(() => {
      const current = protocol();
      callReporting(
        'Exception in protocol.connectionMade()',
        () => current.connectionMade?.(transport),
        {
          transport,
          protocol: current,
        },
      );
      after();
      resolve();
    });
  });
}
