/** Milliseconds of "work" per 64 KiB of data: the slow consumer of W6. */
export const MS_PER_64_KIB = 1;

/** How long a chunk of `bytes` takes to consume (at least 1 ms, as a timer can do). */
export const workMs = (bytes: number): number =>
  Math.max(1, Math.round((bytes / 65536) * MS_PER_64_KIB));

/**
 * The slow consumer of W6 for the Protocol and raw Node readers: one chunk at a time, each
 * taking `workMs`; it pauses its source when `high` chunks are queued or in progress and
 * resumes it at `low` (what `mapWithBackpressure` does for `data$`).
 */
export class SlowConsumer {
  private readonly queue: Uint8Array[] = [];
  private active = false;
  private paused = false;
  private received = 0;

  constructor(
    private readonly options: {
      readonly total: number;
      readonly high: number;
      readonly low: number;
      readonly pause: () => void;
      readonly resume: () => void;
      readonly progress: (received: number) => void;
      /** The chunk was consumed: a reader that recycles its buffers may reuse it. */
      readonly release?: (chunk: Uint8Array) => void;
    },
  ) {}

  /** Whether the source is paused. */
  get isPaused(): boolean {
    return this.paused;
  }

  push(chunk: Uint8Array): void {
    this.queue.push(chunk);
    if (!this.paused && this.count() >= this.options.high) {
      this.paused = true;
      this.options.pause();
    }
    this.next();
  }

  private count(): number {
    return this.queue.length + (this.active ? 1 : 0);
  }

  private next(): void {
    if (this.active) return;
    const chunk = this.queue.shift();
    if (!chunk) return;
    this.active = true;
    setTimeout(() => {
      this.active = false;
      this.received += chunk.byteLength;
      this.options.release?.(chunk);
      this.options.progress(this.received);
      if (this.received >= this.options.total) return;
      if (this.paused && this.count() <= this.options.low) {
        this.paused = false;
        this.options.resume();
      }
      this.next();
    }, workMs(chunk.byteLength));
  }
}
