import { map, type Observable } from 'rxjs';
import type { RunHelpers } from 'rxjs/testing';
import type { StreamProtocol } from '../core/protocols.js';
import { StreamTransport } from '../core/StreamTransport.js';
import type { SocketTransport } from '../core/transports.js';
import { defaultReset, encodeValues, marbleBytes, marbleCallSoon } from './marbleScheduling.js';
import { MarbleStreamHandle, type MarblePeerReads } from './MarbleStreamHandle.js';

/**
 * How the peer of a {@link marbleTransport} reads what we write.
 * @group Testing
 */
export interface MarblePeerOptions {
  /**
   * Marble diagram of the peer's reads: at each value's frame the peer takes that many bytes
   * (a letter without a value: all there is); `#` is a reset the peer sends back.
   */
  readonly reads: string;
  /** Bytes each letter of `reads` takes. */
  readonly values?: Readonly<Record<string, number>>;
  /**
   * Bytes that fit between us and the peer (the kernel buffers of a socket); what does not fit
   * stays in our write buffer.
   * @defaultValue 65536
   */
  readonly buffer?: number;
}

/**
 * Options of {@link marbleTransport}.
 * @group Testing
 */
export interface MarbleTransportOptions {
  /** Marble diagram of what the peer sends: each value is a chunk, `|` is EOF, `#` a reset. */
  readonly incoming: string;
  /** Values for the marble's letters: strings (UTF-8 encoded) or bytes. */
  readonly values?: Readonly<Record<string, string | Uint8Array>>;
  /**
   * The error `#` stands for (in `incoming` and in the peer's `reads`).
   * @defaultValue a `ConnectionResetError` (`ECONNRESET`)
   */
  readonly error?: unknown;
  /** A protocol; without one the transport feeds its Rx surfaces. */
  readonly protocol?: StreamProtocol<SocketTransport>;
  /**
   * The peer's reading, drawn; without it the peer takes every write at once.
   */
  readonly peer?: MarblePeerOptions;
}

/**
 * A transport whose peer is a marble diagram.
 * @group Testing
 */
export interface MarbleTransport extends SocketTransport {
  /**
   * What reached the peer, in virtual time: each write, or, with `peer`, each read of the
   * peer. Completes once EOF reached the peer (`writeEof()`, or a clean `close()`), or on abort.
   */
  readonly written$: Observable<Uint8Array>;
}

/** The default of {@link MarblePeerOptions.buffer}. */
const PEER_BUFFER = 65_536;

/** The handle of a marble stream: the one behind every marble form's byte streams. @internal */
export function marbleStreamHandle(
  helpers: RunHelpers,
  marble: string,
  values: Readonly<Record<string, string | Uint8Array>> | undefined,
  error: unknown,
  peer?: MarblePeerOptions,
  extraInfo?: Readonly<Record<string, unknown>>,
): MarbleStreamHandle {
  const reset = error ?? defaultReset();
  // A letter without a value stands for itself (as in rxjs marbles), UTF-8 encoded.
  const encoded = encodeValues(values);
  const incoming = helpers
    .cold(marble, undefined, reset)
    .pipe(map((letter) => encoded?.[letter] ?? marbleBytes(letter)));
  let reads: MarblePeerReads | undefined;
  if (peer) {
    reads = {
      reads: helpers
        .cold<number | string>(peer.reads, peer.values, reset)
        .pipe(map((count) => (typeof count === 'number' ? count : Number.POSITIVE_INFINITY))),
      buffer: peer.buffer ?? PEER_BUFFER,
    };
  }
  return new MarbleStreamHandle(incoming, marbleCallSoon, reads, extraInfo);
}

/**
 * A transport for `TestScheduler.run`, driven by the same core as the real ones: `data$` emits
 * the `incoming` marble; `pauseReading()` holds frames back in virtual time, and they arrive in
 * order, as the original chunks, at the frame of `resumeReading()`; `written$` emits each write.
 * With `peer`, the peer's reads are drawn too: written bytes leave the write buffer only as
 * they fit between us and the peer, so `pauseWriting`, `writable$` and `drain()` happen in
 * virtual time.
 *
 * @param helpers - What `TestScheduler.run` passes to its callback.
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { marbleTransport } from 'rxtransport/testing';
 * new TestScheduler((a, b) => expect(a).toEqual(b)).run((helpers) => {
 *   const peer = marbleTransport(helpers, { incoming: '-a-|', values: { a: 'hi' } });
 *   peer.data$.subscribe(peer.sink); // echo, then half-close
 *   helpers.expectObservable(peer.written$).toBe('-a-|', { a: new TextEncoder().encode('hi') });
 * });
 * ```
 * @group Testing
 */
export function marbleTransport(
  helpers: RunHelpers,
  options: MarbleTransportOptions,
): MarbleTransport {
  const handle = marbleStreamHandle(
    helpers,
    options.incoming,
    options.values,
    options.error,
    options.peer,
  );
  // Small writes gathered in a frame leave on that frame, as they leave at the end of a turn.
  const transport = new StreamTransport(handle, {
    protocol: options.protocol,
    callSoon: marbleCallSoon,
    flushSoon: marbleCallSoon,
  });
  return Object.assign(transport, { written$: handle.written$ });
}
