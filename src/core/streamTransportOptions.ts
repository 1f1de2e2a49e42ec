import type { CallSoon } from './callSoon.js';
import type { StreamProtocol } from './protocols.js';
import type { SocketTransport } from './transports.js';

/** Options of a {@link StreamTransport}. @internal */
export interface StreamTransportOptions {
  /** The user's protocol; without one the transport feeds its Rx surfaces. */
  readonly protocol?: StreamProtocol<SocketTransport> | undefined;
  /** How callbacks are deferred (virtual time in marble tests). */
  readonly callSoon?: CallSoon | undefined;
  /** When small writes gathered in one turn go out (a microtask; virtual time in marble tests). */
  readonly flushSoon?: CallSoon | undefined;
  /** Bytes `data$` holds for a late subscriber before reading pauses. */
  readonly dataBufferCapacity?: number | undefined;
  /**
   * Pipe semantics (asyncio's unix pipe transports): a read pipe closes on EOF whatever
   * `eofReceived` returns [P2]; on a write pipe `writeEof()` is `close()` [P8].
   */
  readonly pipe?: 'read' | 'write' | undefined;
  /** The protocol moves over from another transport (STARTTLS): no `connectionMade` [T26]. */
  readonly resumed?: boolean | undefined;
  /** EOF from the peer closes whatever `eofReceived` returns (a WebSocket's Close frame). */
  readonly closeOnEof?: boolean | undefined;
}
