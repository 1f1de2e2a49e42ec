import type { StreamProtocol } from './protocols.js';
import type { SocketTransport } from './transports.js';

/**
 * What a platform adapter provides to drive a stream transport: the only seam between the
 * platform-free core and Node (or an in-memory test double).
 */

/** Events an I/O handle reports to its transport. */
export interface StreamHandleEvents {
  /** Bytes read. The transport takes ownership of the array. */
  onData(chunk: Uint8Array): void;
  /** The peer sent EOF (a zero-length read). */
  onEof(): void;
  /** A fatal I/O error (already converted to a `TransportOSError` where the OS reported it). */
  onError(error: Error): void;
  /**
   * Bytes read into the handle's own reusable memory, valid only during the call: the
   * transport copies what it keeps (a `BufferedProtocol` takes them straight into its buffer).
   */
  onBorrowedData(view: Uint8Array): void;
  /**
   * Bytes the platform held below the handle ({@link StreamHandle.platformBuffered}) went out:
   * the transport looks at its write buffer again (resumes writing, finishes a close).
   */
  onWriteProgress?(): void;
}

/** An open, connected byte stream (socket, pipe end, or in-memory peer). */
export interface StreamHandle {
  /** Connects the handle's events to its transport; called once, before any other method. */
  bind(events: StreamHandleEvents): void;
  /** Starts or resumes reading from the OS. Idempotent. */
  readStart(): void;
  /** Stops reading from the OS (so that the peer's writes back up). Idempotent. */
  readStop(): void;
  /**
   * Hands `chunks` to the OS, in order. Returns true when every byte was accepted at once
   * (then `done` is never called); otherwise calls `done` once they all have been. The
   * transport never has two writes outstanding. Failures go to `onError`, not to `done`.
   */
  write(chunks: readonly Uint8Array[], done: () => void): boolean;
  /**
   * Writes as much of `bytes` as the OS takes at once, without waiting and without keeping a
   * reference to them (asyncio's `sock.send()`), and returns how many bytes it took: 0 when it
   * would block, when a write is still in flight, or on a failure (which the next `write()`
   * then reports). Handles without it always go through `write()` with a private copy.
   */
  tryWrite?(bytes: Uint8Array): number;
  /** Sends EOF once everything written has gone out. Called at most once. */
  shutdown(): void;
  /** Releases the handle at once, dropping unsent data; no event follows. Idempotent. */
  close(): void;
  /**
   * Releases the handle after a clean close, when everything written was accepted: no event
   * follows, but the platform may finish the connection gracefully in the background (so that
   * the peer gets every byte). Handles without it are released with `close()`.
   */
  closeGracefully?(): void;
  /**
   * Whether the handle keeps no reference to written arrays once their write is done (a socket
   * or pipe, whose kernel copied the bytes), so that the transport may reuse that memory.
   * Handles that pass the arrays on (in-memory peers, a Node stream's consumer) leave it unset.
   */
  readonly releasesWrites?: boolean;
  /**
   * Message-oriented handles (WebSocket): each chunk given to `write()` is one message, the
   * bytes of one `write()` of the caller, never gathered with others nor split. The transport
   * then never calls `tryWrite`.
   */
  readonly messages?: boolean;
  /**
   * Bytes that `write()` accepted but the platform has not sent yet (a browser WebSocket's
   * `bufferedAmount`): counted in the transport's write buffer size. A handle that reports them
   * calls `onWriteProgress()` as they fall, until they reach 0.
   */
  platformBuffered?(): number;
  /** Whether the stream can be half-closed with `shutdown()`. */
  readonly canShutdown: boolean;
  /** Values for `getExtraInfo`, captured at construction. */
  readonly extraInfo: Readonly<Record<string, unknown>>;
}

/** What `StreamTransport.handOver()` gives the new owner. @internal */
export interface HandOver {
  readonly handle: StreamHandle;
  readonly held: Uint8Array[];
  readonly protocol: StreamProtocol<SocketTransport> | undefined;
}
