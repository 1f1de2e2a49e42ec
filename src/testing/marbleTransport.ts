import { asapScheduler, map, type Observable } from 'rxjs';
import type { RunHelpers } from 'rxjs/testing';
import type { CallSoon } from '../core/callSoon.js';
import type { StreamProtocol } from '../core/protocols.js';
import { StreamTransport } from '../core/StreamTransport.js';
import type { SocketTransport } from '../core/transports.js';
import { MarbleStreamHandle } from './MarbleStreamHandle.js';

/**
 * Options of {@link marbleTransport}.
 * @group Testing
 */
export interface MarbleTransportOptions {
  /** Marble diagram of what the peer sends: each value is a chunk, `|` is EOF, `#` a reset. */
  readonly incoming: string;
  /** Values for the marble's letters: strings (UTF-8 encoded) or bytes. */
  readonly values?: Readonly<Record<string, string | Uint8Array>>;
  /** The error `#` stands for. */
  readonly error?: unknown;
  /** A protocol; without one the transport feeds its Rx surfaces. */
  readonly protocol?: StreamProtocol<SocketTransport>;
}

/**
 * A transport whose peer is a marble diagram.
 * @group Testing
 */
export interface MarbleTransport extends SocketTransport {
  /** Each write, in virtual time; completes on `writeEof()` or `close()`. */
  readonly written$: Observable<Uint8Array>;
}

const encoder = new TextEncoder();

/**
 * A transport for `TestScheduler.run`, driven by the same core as the real ones: `data$` emits
 * the `incoming` marble; `pauseReading()` holds frames back in virtual time, and they arrive in
 * order, as the original chunks, at the frame of `resumeReading()`; `written$` emits each write.
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
  // Without `values`, each letter stands for itself (as in rxjs marbles), UTF-8 encoded.
  const values = options.values
    ? Object.fromEntries(
        Object.entries(options.values).map(([key, value]) => [
          key,
          typeof value === 'string' ? encoder.encode(value) : value,
        ]),
      )
    : undefined;
  const incoming = helpers
    .cold<Uint8Array | string>(options.incoming, values, options.error)
    .pipe(map((value) => (typeof value === 'string' ? encoder.encode(value) : value)));
  // asapScheduler runs in virtual time inside TestScheduler.run: deferred callbacks stay on the frame.
  const callSoon: CallSoon = (callback) => void asapScheduler.schedule(callback);
  const handle = new MarbleStreamHandle(incoming, callSoon);
  // Small writes gathered in a frame leave on that frame, as they leave at the end of a turn.
  const transport = new StreamTransport(handle, {
    protocol: options.protocol,
    callSoon,
    flushSoon: callSoon,
  });
  return Object.assign(transport, { written$: handle.written$ });
}
