import type { Observable, Subscriber, Subscription } from 'rxjs';
import { viewBytes } from '../core/bytes.js';

/**
 * Runs a framing decoder over its source of chunks: each chunk is checked as bytes and fed in
 * order, and the source's completion calls `finish` once every chunk before it was fed.
 * Chunks (and the completion) that a re-entrant source sends while a frame is being emitted
 * wait until the chunk before them is done, so that frames keep their order. Anything the
 * decoder throws (a chunk that is not bytes, a frame too large) ends the output with it.
 * @internal
 */
export function feedChunks(
  source: Observable<Uint8Array>,
  subscriber: Subscriber<unknown>,
  feed: (chunk: Uint8Array) => void,
  finish: () => void,
): Subscription {
  const inbox: Uint8Array[] = [];
  let sourceDone = false;
  let pumping = false;

  const pump = (): void => {
    if (pumping) return;
    pumping = true;
    try {
      while (inbox.length > 0 && !subscriber.closed) feed(viewBytes(inbox.shift(), 'chunk'));
      if (sourceDone && !subscriber.closed) finish();
    } catch (err: unknown) {
      subscriber.error(err);
    } finally {
      pumping = false;
    }
  };

  return source.subscribe({
    next: (chunk) => {
      inbox.push(chunk);
      pump();
    },
    error: (err: unknown) => {
      subscriber.error(err);
    },
    complete: () => {
      sourceDone = true;
      pump();
    },
  });
}
