import type { Subject } from 'rxjs';
import { callReporting } from './exceptionHandler.js';
import type { FlowControl } from './FlowControl.js';
import type { BaseProtocol } from './protocols.js';

/** What a transport hands over when its connection is lost. @internal */
export interface ConnectionLoss {
  readonly transport: unknown;
  readonly protocol: BaseProtocol<never>;
  /** The built-in Rx protocol, ended even when a user protocol replaced it. */
  readonly rx: BaseProtocol<never>;
  readonly flow: FlowControl;
  /** The subject behind `closed$`. */
  readonly lost$: Subject<Error | null>;
}

/**
 * The last step of asyncio's teardown (`_call_connection_lost`), shared by the stream and
 * datagram transports: `connectionLost` (what it throws is reported [E4]), then the Rx surfaces
 * end, pending drains settle, and `closed$` emits once and completes.
 * @internal
 */
export function deliverConnectionLost(exc: Error | null, loss: ConnectionLoss): void {
  callReporting(
    'Exception in protocol.connectionLost()',
    () => loss.protocol.connectionLost?.(exc),
    {
      transport: loss.transport,
      protocol: loss.protocol,
    },
  );
  if (loss.protocol !== loss.rx) loss.rx.connectionLost?.(exc);
  loss.flow.finish(exc);
  loss.lost$.next(exc);
  loss.lost$.complete();
}
