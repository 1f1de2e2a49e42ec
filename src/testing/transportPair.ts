import { DEFAULT_HIGH_WATER } from '../core/FlowControl.js';
import { defaultCallSoon, type CallSoon } from '../core/callSoon.js';
import type { StreamProtocol } from '../core/protocols.js';
import { StreamTransport } from '../core/StreamTransport.js';
import type { SocketTransport } from '../core/transports.js';
import { MemoryStreamHandle } from './MemoryStreamHandle.js';
import { MemoryWire } from './MemoryWire.js';

/**
 * Options of {@link transportPair}.
 * @group Testing
 */
export interface TransportPairOptions {
  /**
   * Bytes each direction's "kernel" buffer holds before the writer's own buffer grows.
   * @defaultValue 65536
   */
  readonly kernelBufferSize?: number;
  /** Protocol factories for the two ends; without one an end feeds its Rx surfaces. */
  readonly protocols?: readonly [
    (() => StreamProtocol<SocketTransport>) | undefined,
    (() => StreamProtocol<SocketTransport>) | undefined,
  ];
  /** How callbacks are deferred; the default is the next macrotask. @internal */
  readonly callSoon?: CallSoon;
}

/**
 * Two connected in-memory transports, driven by the same core as the real ones. Water marks
 * are real: when one side pauses reading, the other side's write buffer grows and its
 * `pauseWriting` fires.
 *
 * @example
 * ```ts
 * import { transportPair } from 'rxtransport/testing';
 * const [client, server] = transportPair();
 * server.data$.subscribe((chunk) => server.write(chunk)); // echo
 * client.write(new TextEncoder().encode('ping'));
 * ```
 * @group Testing
 */
export function transportPair(
  options: TransportPairOptions = {},
): [SocketTransport, SocketTransport] {
  const capacity = options.kernelBufferSize ?? DEFAULT_HIGH_WATER;
  const callSoon = options.callSoon ?? defaultCallSoon;
  // A caller's own scheduler (virtual time) also decides when gathered small writes leave.
  const flushSoon = options.callSoon;
  const aToB = new MemoryWire(capacity, callSoon);
  const bToA = new MemoryWire(capacity, callSoon);
  const a = new StreamTransport(
    new MemoryStreamHandle(aToB, bToA, {
      peername: { path: 'memory:b' },
      sockname: { path: 'memory:a' },
    }),
    {
      protocol: options.protocols?.[0]?.(),
      callSoon,
      flushSoon,
    },
  );
  const b = new StreamTransport(
    new MemoryStreamHandle(bToA, aToB, {
      peername: { path: 'memory:a' },
      sockname: { path: 'memory:b' },
    }),
    {
      protocol: options.protocols?.[1]?.(),
      callSoon,
      flushSoon,
    },
  );
  return [a, b];
}
