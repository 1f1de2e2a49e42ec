import { Subject, type Observable, type Observer, type Subscriber, type Subscription } from 'rxjs';

/**
 * A transport's `sink` and `data$` as one `Subject` (what rxjs `webSocket()` returns): `next`,
 * `error` and `complete` go to the sink, subscribers get `data$`. Nothing is buffered here: a
 * value given before anyone subscribes goes out at once, and each subscriber sees the hot
 * `data$` from the moment it subscribes.
 * @internal
 */
export class TransportSubject extends Subject<Uint8Array> {
  constructor(
    private readonly destination: Observer<Uint8Array>,
    private readonly source$: Observable<Uint8Array>,
  ) {
    super();
  }

  override next(value: Uint8Array): void {
    this.destination.next(value);
  }

  override error(error: unknown): void {
    this.destination.error(error);
  }

  override complete(): void {
    this.destination.complete();
  }

  /**
   * Subject's own subscription hook (not in rxjs's typings): subscribers, and the operators
   * piped onto this subject, read `data$`.
   */
  protected _subscribe(subscriber: Subscriber<Uint8Array>): Subscription {
    return this.source$.subscribe(subscriber);
  }
}
