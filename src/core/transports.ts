/**
 * The transport interfaces (asyncio `transports.py`, camelCased), with the Rx surfaces.
 * Transports are created only by the factories.
 */
import type { Observable, Observer, Subject } from 'rxjs';
import type { Address } from './address.js';
import type { BytesLike } from './bytes.js';
import type { Protocol, StreamProtocol, SubprocessProtocol } from './protocols.js';

/**
 * Methods of every transport (asyncio `BaseTransport`).
 * @group Transports
 */
export interface BaseTransport<P = unknown> {
  /**
   * Closes the transport: stops reading, flushes what was written, then reports
   * `connectionLost(null)`. Idempotent.
   */
  close(): void;
  /** True from the moment the transport starts closing; never reverts. */
  isClosing(): boolean;
  /**
   * Information captured when the transport was built: `'peername'`, `'sockname'`,
   * `'socket'`, `'pipe'`, `'subprocess'`. Unknown names give `defaultValue`.
   */
  getExtraInfo(name: 'peername' | 'sockname'): Address | undefined;
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  /** Replaces the protocol; does not call `connectionMade` on it. */
  setProtocol(protocol: P): void;
  /** The current protocol (the built-in Rx protocol when none was given). */
  getProtocol(): P;
  /** Emits once when the connection is lost (the error, or `null`), replays, then completes. */
  readonly closed$: Observable<Error | null>;
}

/**
 * The read side (asyncio `ReadTransport`).
 * @group Transports
 */
export interface ReadTransport<P = unknown> extends BaseTransport<P> {
  /** True unless reading was paused or the transport is closing. */
  isReading(): boolean;
  /**
   * Stops reading from the OS until `resumeReading()`; no-op when not reading. A Node socket
   * may still read up to 16 KiB before it stops; those bytes are held until `resumeReading()`
   * ([asyncio difference 7](../../docs/asyncio-differences.md#reading)).
   */
  pauseReading(): void;
  /** Resumes reading; no-op when closing or not paused. */
  resumeReading(): void;
  /**
   * Received data, hot and multicast. Completes on EOF; errors when the connection is lost
   * with an error. Chunks arriving with no subscriber are held (bounded; reading pauses when
   * full) for the next subscriber. Carries data only while the transport's protocol is the
   * built-in Rx protocol (no `protocol` option).
   */
  readonly data$: Observable<Uint8Array>;
}

/**
 * The write side (asyncio `WriteTransport`).
 * @group Transports
 */
export interface WriteTransport<P = unknown> extends BaseTransport<P> {
  /**
   * Queues bytes for sending (copied). An empty write is a no-op.
   * @throws TypeError `ERR_INVALID_ARG_TYPE` when `data` is not bytes.
   * @throws {@link rxtransport!WriteAfterEofError} after `writeEof()` (asyncio: `RuntimeError`)
   *   ([asyncio difference 19](../../docs/asyncio-differences.md#errors)).
   * @throws {@link rxtransport!TransportClosedError} after `close()`, `abort()` or connection loss.
   */
  write(data: BytesLike): void;
  /** Writes each buffer in order, as `write`. */
  writelines(list: Iterable<BytesLike>): void;
  /** Whether `writeEof()` is supported. */
  canWriteEof(): boolean;
  /** Sends EOF after the buffered data; reading continues. No-op when closing or repeated. */
  writeEof(): void;
  /** Closes at once, dropping buffered data; `connectionLost(null)` follows. */
  abort(): void;
  /** Bytes written and not yet handed to the OS. */
  getWriteBufferSize(): number;
  /** The water marks as `[low, high]` (low first, as asyncio). */
  getWriteBufferLimits(): [number, number];
  /**
   * Sets the water marks: `high` defaults to 4 × `low` when only `low` is given, else 64 KiB;
   * `low` to `high / 4` floored.
   * @throws RangeError `ERR_OUT_OF_RANGE` unless `high >= low >= 0`.
   */
  setWriteBufferLimits(high?: number, low?: number): void;
  /** An Observer that writes: `next` writes, `complete` sends EOF (else closes), `error` aborts. */
  readonly sink: Observer<Uint8Array>;
  /** Write flow-control state: true at or below the high water mark; emits on subscribe. */
  readonly writable$: Observable<boolean>;
  /** Resolves when the write buffer is at or below the low water mark; rejects if lost first. */
  drain(): Promise<void>;
  /**
   * Resolves when the write buffer is empty (every byte handed to the OS); rejects if the
   * connection is lost first. asyncio has no such call; `drain()` waits only for the low mark.
   */
  flushed(): Promise<void>;
}

/**
 * A TCP or Unix stream socket transport (asyncio `Transport`).
 * @group Transports
 */
export interface SocketTransport
  extends
    ReadTransport<StreamProtocol<SocketTransport>>,
    WriteTransport<StreamProtocol<SocketTransport>> {
  /**
   * `sink` and `data$` as one `Subject`, for code written against rxjs `webSocket()`'s
   * `WebSocketSubject`: `next()` writes, subscribers read the hot `data$`. Nothing is queued
   * before open (the transport is open already) nor across reconnects.
   */
  asSubject(): Subject<Uint8Array>;
}

/**
 * The read end of a pipe, or a child's stdout/stderr (asyncio `_UnixReadPipeTransport`).
 * EOF always closes it, whatever `eofReceived` returns.
 * @group Transports
 */
export type ReadPipeTransport = ReadTransport<Protocol<ReadPipeTransport>>;

/**
 * The write end of a pipe, or a child's stdin (asyncio `_UnixWritePipeTransport`).
 * `writeEof()` closes it after flushing; a reader that went away is noticed on the next write
 * and reported as a `BrokenPipeError` on `closed$`
 * ([asyncio difference 23](../../docs/asyncio-differences.md#pipes-and-subprocesses)).
 * @group Transports
 */
export type WritePipeTransport = WriteTransport<Protocol<WritePipeTransport>>;

/**
 * A chunk of a child's output, with the descriptor it came from.
 * @group Transports
 */
export interface ProcessOutput {
  readonly fd: 1 | 2;
  readonly data: Uint8Array;
}

/**
 * A child process (asyncio `SubprocessTransport`), with its piped stdio as child transports that
 * compose like any stream. It is itself a duplex: `sink` writes to stdin, `data$` reads stdout.
 * @group Transports
 */
export interface SubprocessTransport extends BaseTransport<
  SubprocessProtocol<SubprocessTransport>
> {
  /** The child's process id. */
  getPid(): number;
  /**
   * The transport of fd 0, 1 or 2; `null` when that descriptor is not piped. Any other fd
   * throws `RangeError` `ERR_OUT_OF_RANGE`
   * ([asyncio difference 27](../../docs/asyncio-differences.md#pipes-and-subprocesses)).
   */
  getPipeTransport(fd: 0): WritePipeTransport | null;
  getPipeTransport(fd: 1 | 2): ReadPipeTransport | null;
  getPipeTransport(fd: number): WritePipeTransport | ReadPipeTransport | null;
  /** `null` until the child exits; then its exit code, or `-N` when signal N ended it. */
  getReturncode(): number | null;
  /**
   * Sends a signal (a number or a name such as `'SIGTERM'`). A no-op once the child exited;
   * @throws {@link ProcessLookupError} (`ESRCH`) once the transport has finished.
   */
  sendSignal(signal: number | string): void;
  /** `sendSignal('SIGTERM')`. */
  terminate(): void;
  /** `sendSignal('SIGKILL')`. */
  kill(): void;
  /**
   * Closes the pipes and kills the child with SIGKILL if it still runs. `isClosing()` is true
   * only after this was called, even once the child exited.
   */
  close(): void;
  /** The child's stdin, or `null` when not piped. */
  readonly stdin: WritePipeTransport | null;
  /** The child's stdout, or `null` when not piped. */
  readonly stdout: ReadPipeTransport | null;
  /** The child's stderr, or `null` when not piped. */
  readonly stderr: ReadPipeTransport | null;
  /** stdin's `sink`; writing refuses with `TransportClosedError` when stdin is not piped. */
  readonly sink: Observer<Uint8Array>;
  /** stdout's `data$`; completes at once when stdout is not piped. */
  readonly data$: Observable<Uint8Array>;
  /** stdout and stderr merged, each chunk tagged with its fd; completes when both have closed. */
  readonly output$: Observable<ProcessOutput>;
  /** Emits the return code once the child exits, replays it, then completes. */
  readonly exit$: Observable<number>;
}

/**
 * A listening server (asyncio `Server`), created by `createServer` or `createUnixServer`.
 * Accepted connections become transports (with a protocol from the factory, or feeding their
 * Rx surfaces) and are emitted by `connections$` after their `connectionMade` ran.
 * @group Transports
 */
export interface Server {
  /**
   * Accepted connections, hot and multicast. Connections accepted before the first subscriber
   * are queued for it, none dropped; every connection accepted before `close()` is emitted,
   * even when its `connectionMade` comes after the call. Completes when the server closes.
   */
  readonly connections$: Observable<SocketTransport>;
  /** The first bound socket's address. @throws {@link TransportClosedError} once closed. */
  address(): Address;
  /** Every bound socket's address; empty once closed (asyncio `sockets` is `()` then). */
  addresses(): Address[];
  /** Whether the server accepts connections. */
  isServing(): boolean;
  /** Stops listening; accepted connections stay open. Idempotent. */
  close(): void;
  /**
   * Resolves once the server is closed and every connection it accepted has delivered
   * `connectionLost` (asyncio 3.12.1+).
   */
  waitClosed(): Promise<void>;
  /** Calls `close()` on every accepted connection still open (asyncio 3.13 `close_clients`). */
  closeClients(): void;
  /** Calls `abort()` on every accepted connection still open (asyncio 3.13 `abort_clients`). */
  abortClients(): void;
}
