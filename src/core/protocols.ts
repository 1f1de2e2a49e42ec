/**
 * asyncio's protocol callbacks, camelCased. Every method is optional; a transport created
 * without a protocol feeds its Rx surfaces instead. Protocols are types only: any object with
 * these methods is one.
 */
import type { Address } from './address.js';

/** Callbacks every protocol may have (asyncio `BaseProtocol`). */
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

/** A stream protocol (asyncio `Protocol`). */
export interface Protocol<T = unknown> extends BaseProtocol<T> {
  /** A chunk of received bytes; chunk boundaries are arbitrary [R4]. Throwing is fatal [E3]. */
  dataReceived?(data: Uint8Array): void;
  /**
   * The peer sent EOF. Return `true` to keep the connection half-open for writing; anything
   * else closes the transport [R5]. Throwing is fatal [E3].
   */
  eofReceived?(): boolean | void;
}

/**
 * A stream protocol that supplies its own receive buffers (asyncio `BufferedProtocol`): the
 * transport copies received bytes into the buffer `getBuffer` returns and reports how many.
 */
export interface BufferedProtocol<T = unknown> extends BaseProtocol<T> {
  /**
   * Returns a non-empty buffer to receive into. `sizeHint` is the number of bytes waiting to be
   * delivered (asyncio's selector loop passes -1) [R7].
   */
  getBuffer(sizeHint: number): Uint8Array;
  /** `nbytes` bytes were written at the start of the last buffer `getBuffer` returned. */
  bufferUpdated(nbytes: number): void;
  /** As `Protocol.eofReceived`. */
  eofReceived?(): boolean | void;
}

/** A datagram protocol (asyncio `DatagramProtocol`). */
export interface DatagramProtocol<T = unknown> extends BaseProtocol<T> {
  /** One datagram received from `addr` [D1]. */
  datagramReceived?(data: Uint8Array, addr: Address): void;
  /** A send or receive failed with an OS error; the endpoint stays open [D5]. */
  errorReceived?(exc: Error): void;
}

/** A subprocess protocol (asyncio `SubprocessProtocol`). */
export interface SubprocessProtocol<T = unknown> extends BaseProtocol<T> {
  /** Bytes the child wrote to its stdout (`fd` 1) or stderr (`fd` 2). */
  pipeDataReceived?(fd: number, data: Uint8Array): void;
  /** One of the child's pipes closed; `exc` is the error, or `null`. */
  pipeConnectionLost?(fd: number, exc: Error | null): void;
  /** The child exited (its return code is available from the transport). */
  processExited?(): void;
}

/** Any stream protocol a socket or pipe transport accepts. */
export type StreamProtocol<T = unknown> = Protocol<T> | BufferedProtocol<T>;

/** Tells a `BufferedProtocol` from a plain `Protocol`, as asyncio does on `set_protocol` [B5]. */
export function isBufferedProtocol<T>(
  protocol: StreamProtocol<T>,
): protocol is BufferedProtocol<T> {
  return (
    typeof (protocol as Partial<BufferedProtocol<T>>).getBuffer === 'function' &&
    typeof (protocol as Partial<BufferedProtocol<T>>).bufferUpdated === 'function'
  );
}
