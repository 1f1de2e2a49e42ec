import { Observable, type Subscriber } from 'rxjs';

/** Options of a {@link HotQueue}. */
export interface HotQueueOptions<T> {
  /** Held size at which `onFull` runs (measured with `sizeOf`). */
  readonly capacity: number;
  /** The size an item counts for; 1 when not given. */
  readonly sizeOf?: (item: T) => number;
  /** The held items reached the capacity: stop the producer. */
  readonly onFull?: () => void;
  /** Held items were delivered after `onFull`: the producer may go on. */
  readonly onRoom?: () => void;
}

type Ending = { readonly kind: 'complete' } | { readonly kind: 'error'; readonly error: unknown };

/**
 * A hot, multicast Observable that holds what is pushed while nobody subscribes, and hands it
 * to the next subscriber (no replay to later ones). The producer is told when the held items
 * reach a capacity, so memory stays bounded without dropping anything.
 * @internal
 */
export class HotQueue<T> {
  /**
   * Replaced, never changed in place (copy on write): a delivery loops over the array it started
   * with while subscribers come and go, without copying it for every item.
   */
  private subscribers: readonly Subscriber<T>[] = [];
  private held: T[] = [];
  private heldSize = 0;
  private full = false;
  private ending: Ending | null = null;
  private delivering = false;

  readonly observable: Observable<T> = new Observable<T>((subscriber) => {
    this.subscribers = [...this.subscribers, subscriber];
    this.deliver();
    return () => {
      const index = this.subscribers.indexOf(subscriber);
      if (index >= 0) this.subscribers = this.subscribers.filter((_, i) => i !== index);
    };
  });

  constructor(private readonly options: HotQueueOptions<T>) {}

  /** Whether nothing more will be pushed. */
  get ended(): boolean {
    return this.ending !== null;
  }

  /** Items held for a subscriber. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Whether anyone is subscribed. */
  get observed(): boolean {
    return this.subscribers.length > 0;
  }

  push(item: T): void {
    if (this.ending) return;
    if (this.subscribers.length > 0 && this.held.length === 0 && !this.delivering) {
      // Fast path: nothing held, nobody mid-delivery. Re-entrant pushes are held, then sent.
      this.delivering = true;
      try {
        this.emit(item);
      } finally {
        this.delivering = false;
      }
      if (this.held.length > 0 || this.ending) this.deliver();
      return;
    }
    this.held.push(item);
    this.heldSize += this.options.sizeOf ? this.options.sizeOf(item) : 1;
    if (!this.full && this.heldSize >= this.options.capacity) {
      this.full = true;
      this.options.onFull?.();
    }
    this.deliver();
  }

  complete(): void {
    this.end({ kind: 'complete' });
  }

  error(error: unknown): void {
    this.end({ kind: 'error', error });
  }

  private end(ending: Ending): void {
    if (this.ending) return;
    this.ending = ending;
    this.deliver();
  }

  private emit(item: T): void {
    const subscribers = this.subscribers;
    for (const subscriber of subscribers) subscriber.next(item);
  }

  /** Hands held items, then the ending, to the current subscribers; safe against re-entry. */
  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      do {
        while (this.subscribers.length > 0 && this.held.length > 0) {
          const item = this.held.shift() as T;
          this.heldSize -= this.options.sizeOf ? this.options.sizeOf(item) : 1;
          this.emit(item);
        }
        if (this.full && this.held.length === 0) {
          this.full = false;
          // The producer may push synchronously from here; the loop sends that on.
          this.options.onRoom?.();
        }
      } while (this.subscribers.length > 0 && this.held.length > 0);
      if (this.ending && this.held.length === 0 && this.subscribers.length > 0) {
        const ending = this.ending;
        const subscribers = this.subscribers;
        this.subscribers = [];
        for (const subscriber of subscribers) {
          if (ending.kind === 'complete') subscriber.complete();
          else subscriber.error(ending.error);
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}
