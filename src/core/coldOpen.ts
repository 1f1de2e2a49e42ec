import { Observable, type Subscriber } from 'rxjs';

/** What a cold form does with the resource it opened. @internal */
export interface ColdUse<R, T> {
  /** Feeds the subscriber from the opened resource. */
  use(resource: R, subscriber: Subscriber<T>): void;
  /** Releases the resource on unsubscribe (also when it opens after the unsubscribe). */
  release(resource: R): void;
}

/**
 * The cold forms' common shape (`fromConnection`, `fromServer`, ...): opens on subscribe, hands
 * the resource to `use`, and releases it on unsubscribe, even when it finishes opening after
 * the subscriber left; a failure to open is the Observable's error.
 * @internal
 */
export function coldOpen<R, T>(open: () => Promise<R>, how: ColdUse<R, T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let resource: R | null = null;
    let active = true;
    open().then(
      (opened) => {
        if (!active) {
          how.release(opened);
          return;
        }
        resource = opened;
        how.use(opened, subscriber);
      },
      (error: unknown) => {
        subscriber.error(error);
      },
    );
    return () => {
      active = false;
      if (resource !== null) how.release(resource);
    };
  });
}

/**
 * The cold form of a transport: emits it, completes when it closes cleanly and errors when it
 * is lost with an error; unsubscribing closes it (flushing what was written).
 * @internal
 */
export function coldTransport<
  T extends { close(): void; readonly closed$: Observable<Error | null> },
>(open: () => Promise<T>): Observable<T> {
  return coldOpen<T, T>(open, {
    use: (transport, subscriber) => {
      subscriber.next(transport);
      transport.closed$.subscribe((exc) => {
        if (exc) subscriber.error(exc);
        else subscriber.complete();
      });
    },
    release: (transport) => {
      transport.close();
    },
  });
}
