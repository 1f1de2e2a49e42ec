import { Observable, type Subscriber } from 'rxjs';

/** Options of a {@link HotQueue}. */
export interface HotQueueOptions<T> {
  /** Held size at which the producer is held (measured with `sizeOf`). */
  readonly capacity: number;
  /** The size an item counts for; 1 when not given. */
  readonly sizeOf?: (item: T) => number;
  /**
   * Stops the producer (the transport stops reading) and returns the function that lets it go
   * on: called when the held items reach the capacity, released once they were delivered.
   */
  readonly holdProducer?: () => () => void;
}

type Ending = { readonly kind: 'complete' } | { readonly kind: 'error'; readonly error: unknown };

/**
 * A hot, multicast Observable that holds what is pushed while nobody subscribes, and hands it
 * to the next subscriber (no replay to later ones). The producer is held when the held items
 * reach a capacity, so memory stays bounded without dropping anything. Delivery can be paused
 * (the reader paused reading): items pushed meanwhile are held, and nothing reaches a
 * subscriber until it resumes or the queue ends.
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
  private ending: Ending | null = null;
  private delivering = false;
  private paused = false;
  /** Whether the producer feeds this queue (else it feeds someone else and is never held). */
  private producerAttached = true;
  /** Lets the producer go on; set while it is held. */
  private releaseProducer: (() => void) | null = null;

  readonly observable: Observable<T> = new Observable<T>((subscriber) => {
    this.subscribers = [...this.subscribers, subscriber];
    // The removal is registered before the first delivery: a subscriber that leaves during it
    // (`take(1)`, `firstValueFrom`) must not be handed the rest, which stays held.
    subscriber.add(() => {
      const index = this.subscribers.indexOf(subscriber);
      if (index >= 0) this.subscribers = this.subscribers.filter((_, i) => i !== index);
    });
    this.deliver();
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
    if (this.subscribers.length > 0 && this.held.length === 0 && !this.delivering && !this.paused) {
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
    this.holdIfFull();
    this.deliver();
  }

  /** Stops delivering: items stay held (and count towards the capacity) until `resume()`. */
  pause(): void {
    this.paused = true;
  }

  /** Delivers what was held while paused, unless a subscriber pauses again. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.deliver();
  }

  /**
   * The producer feeds another consumer now (a user protocol replaced the Rx one): it is let
   * go at once, and never held while detached; what is held stays for the next subscriber.
   */
  detachProducer(): void {
    this.producerAttached = false;
    this.letProducerGo();
  }

  /** The producer feeds this queue again: it is held at once if the held items fill it. */
  attachProducer(): void {
    this.producerAttached = true;
    this.holdIfFull();
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
    // The source is gone (connection lost): what it left is delivered, then the ending.
    this.paused = false;
    this.deliver();
  }

  private holdIfFull(): void {
    const hold = this.options.holdProducer;
    if (
      hold === undefined ||
      this.releaseProducer !== null ||
      !this.producerAttached ||
      this.ending !== null ||
      this.heldSize < this.options.capacity
    ) {
      return;
    }
    this.releaseProducer = hold();
  }

  private letProducerGo(): void {
    const release = this.releaseProducer;
    this.releaseProducer = null;
    release?.();
  }

  private emit(item: T): void {
    const subscribers = this.subscribers;
    for (const subscriber of subscribers) subscriber.next(item);
  }

  private canDeliver(): boolean {
    return !this.paused && this.subscribers.length > 0 && this.held.length > 0;
  }

  /** Hands held items, then the ending, to the current subscribers; safe against re-entry. */
  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      do {
        while (this.canDeliver()) {
          const item = this.held.shift() as T;
          this.heldSize -= this.options.sizeOf ? this.options.sizeOf(item) : 1;
          this.emit(item);
        }
        // The producer may push synchronously from here; the loop sends that on.
        if (this.held.length === 0) this.letProducerGo();
      } while (this.canDeliver());
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
