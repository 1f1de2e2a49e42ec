/** Collectors of what a transport's Observables carried: its chunks, its end, its loss. */
import { firstValueFrom, type Observable } from 'rxjs';
import type { SocketTransport } from '../../src/index';

/**
 * Everything a stream of chunks carried, once it completes; rejects if it errors. The promise
 * counts as handled, so that a test failing before awaiting it reports only its own failure.
 */
export function collect(data$: Observable<Uint8Array>): Promise<Buffer> {
  const promise = new Promise<Buffer>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    data$.subscribe({
      next: (chunk) => chunks.push(chunk),
      error: reject,
      complete: () => {
        resolve(Buffer.concat(chunks));
      },
    });
  });
  promise.catch(() => undefined);
  return promise;
}

/** What `data$` did: its chunks so far, and how it ended (if it has). */
export interface Recording {
  readonly chunks: Uint8Array[];
  bytes(): Buffer;
  ended: 'complete' | 'error' | null;
  error: unknown;
}

/** Subscribes to `data$` and records everything it emits. */
export function record(data$: Observable<Uint8Array>): Recording {
  const recording: Recording = {
    chunks: [],
    bytes: () => Buffer.concat(recording.chunks),
    ended: null,
    error: undefined,
  };
  data$.subscribe({
    next: (chunk) => recording.chunks.push(chunk),
    error: (error: unknown) => {
      recording.ended = 'error';
      recording.error = error;
    },
    complete: () => {
      recording.ended = 'complete';
    },
  });
  return recording;
}

/** The value `closed$` emits (the error, or null). */
export function closedValue(transport: SocketTransport): Promise<Error | null> {
  return firstValueFrom(transport.closed$);
}
