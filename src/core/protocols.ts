/**
 * asyncio's protocol callbacks, camelCased. Every method is optional; a transport created
 * without a protocol feeds its Rx surfaces instead. Protocols are types only: any object with
 * these methods is one.
 */
import type { Address } from './address.js';

/**
 * Callbacks every protocol may have (asyncio `BaseProtocol`).
 * @group Protocols
 */
export interface BaseProtocol<T = unknown> {
  /** Called once, after the transport is set up and before any data (asyncio `connection_made`). */
  connectionMade?(transport: T): void;
  /**
   * Called once when the connection is lost or closed, never from inside the call that caused
   * it; `exc` is the error, or `null` for a clean close (asyncio `connection_lost`).
   */
  connectionLost?(exc: Error | null): void;
  /** The transport's write buffer rose above its high water mark (asyncio `pause_writing`). */
  pauseWriting?(): void;
  /** The transport's write buffer fell to its low water mark or below (asyncio `resume_writing`). */
  resumeWriting?(): void;
}

/**
 * A stream protocol (asyncio `Protocol`).
 * @group Protocols
 */
export interface Protocol<T = unknown> extends BaseProtocol<T> {
  /**
   * A chunk of received bytes; chunk boundaries are arbitrary. Throwing is fatal, on pipes too
   * ([asyncio difference 22](../../docs/asyncio-differences.md#pipes-and-subprocesses)).
   */
  dataReceived?(data: Uint8Array): void;
  /**
   * The peer sent EOF. Return `true` to keep the connection half-open for writing; anything
   * else closes the transport. Throwing is fatal.
   */
  eofReceived?(): boolean | void;
}

/**
 * A stream protocol that supplies its own receive buffers (asyncio `BufferedProtocol`): the
 * transport copies received bytes into the buffer `getBuffer` returns and reports how many.
 * @group Protocols
 */
export interface BufferedProtocol<T = unknown> extends BaseProtocol<T> {
  /**
   * Returns a non-empty buffer to receive into. `sizeHint` is the number of bytes waiting to be
   * delivered (asyncio's selector loop passes -1)
   * ([asyncio difference 8](../../docs/asyncio-differences.md#reading)).
   */
  getBuffer(sizeHint: number): Uint8Array;
  /** `nbytes` bytes were written at the start of the last buffer `getBuffer` returned. */
  bufferUpdated(nbytes: number): void;
  /** As `Protocol.eofReceived`. */
  eofReceived?(): boolean | void;
}

/**
 * A datagram protocol (asyncio `DatagramProtocol`).
 * @group Protocols
 */
export interface DatagramProtocol<T = unknown> extends BaseProtocol<T> {
  /** One datagram received from `addr`. */
  datagramReceived?(data: Uint8Array, addr: Address): void;
  /** A send or receive failed with an OS error; the endpoint stays open. */
  errorReceived?(exc: Error): void;
}

/**
 * A subprocess protocol (asyncio `SubprocessProtocol`).
 * @group Protocols
 */
export interface SubprocessProtocol<T = unknown> extends BaseProtocol<T> {
  /** Bytes the child wrote to its stdout (`fd` 1) or stderr (`fd` 2). */
  pipeDataReceived?(fd: number, data: Uint8Array): void;
  /** One of the child's pipes closed; `exc` is the error, or `null`. */
  pipeConnectionLost?(fd: number, exc: Error | null): void;
  /** The child exited (its return code is available from the transport). */
  processExited?(): void;
}

/**
 * Any stream protocol a socket or pipe transport accepts.
 * @group Protocols
 */
export type StreamProtocol<T = unknown> = Protocol<T> | BufferedProtocol<T>;

/** Tells a `BufferedProtocol` from a plain `Protocol`, as asyncio does on `set_protocol`. */
export function isBufferedProtocol<T>(
  protocol: StreamProtocol<T>,
): protocol is BufferedProtocol<T> {
  return (
    typeof (protocol as Partial<BufferedProtocol<T>>).getBuffer === 'function' &&
    typeof (protocol as Partial<BufferedProtocol<T>>).bufferUpdated === 'function'
  );
}
