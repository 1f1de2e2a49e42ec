import type { StreamHandle, StreamHandleEvents } from '../../src/core/handle';

/**
 * A scriptable StreamHandle: the test decides when the "OS" accepts written bytes and what it
 * reads, so that every state of the core can be reached exactly.
 */
export class FakeStreamHandle implements StreamHandle {
  canShutdown = true;
  reading = false;
  readStarts = 0;
  shutdowns = 0;
  closes = 0;
  /** When true, every write is accepted at once; else it waits for `completeWrite()`. */
  acceptAtOnce = false;
  readonly written: Uint8Array[] = [];
  /** The arrays `write()` was given, as given. */
  readonly handed: Uint8Array[] = [];
  /** Set to let the transport reuse the memory of writes once they are done. */
  releasesWrites = false;
  /** What each `tryWrite` was offered (the caller's own arrays, to check nothing was copied). */
  readonly offered: Uint8Array[] = [];
  /**
   * Set to give the handle `tryWrite`: how many bytes the "OS" takes at once from each offer
   * (Infinity: everything). Without it the handle has no `tryWrite`, as the in-memory ones.
   */
  tryWrite?: (bytes: Uint8Array) => number;
  private pendingDone: (() => void) | null = null;
  private events: StreamHandleEvents | null = null;

  constructor(readonly extraInfo: Readonly<Record<string, unknown>> = {}) {}

  bind(events: StreamHandleEvents): void {
    this.events = events;
  }

  readStart(): void {
    this.reading = true;
    this.readStarts += 1;
  }

  readStop(): void {
    this.reading = false;
  }

  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    if (this.pendingDone) throw new Error('two writes outstanding');
    this.handed.push(...chunks);
    // A handle that releases its writes is a kernel: it copies the bytes.
    this.written.push(...chunks.map((chunk) => (this.releasesWrites ? chunk.slice() : chunk)));
    if (this.acceptAtOnce) return true;
    this.pendingDone = done;
    return false;
  }

  /** Gives the handle a `tryWrite` that takes up to `limit` bytes per call while idle. */
  acceptDirect(limit = Infinity): this {
    this.tryWrite = (bytes) => {
      if (this.pendingDone) throw new Error('tryWrite with a write outstanding');
      this.offered.push(bytes);
      const taken = Math.min(limit, bytes.byteLength);
      if (taken > 0) this.written.push(bytes.slice(0, taken));
      return taken;
    };
    return this;
  }

  /** The OS accepted the outstanding write. */
  completeWrite(): void {
    const done = this.pendingDone;
    if (!done) throw new Error('no write outstanding');
    this.pendingDone = null;
    done();
  }

  get writeOutstanding(): boolean {
    return this.pendingDone !== null;
  }

  shutdown(): void {
    this.shutdowns += 1;
  }

  close(): void {
    this.closes += 1;
  }

  receive(data: string | Uint8Array): void {
    this.events?.onData(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  receiveEof(): void {
    this.events?.onEof();
  }

  fail(error: Error): void {
    this.events?.onError(error);
  }

  /** Everything written so far, as text. */
  text(): string {
    return Buffer.concat(this.written).toString();
  }
}

/** Lets the current turn end: small writes gathered in it are handed to the handle. */
export async function endOfTurn(): Promise<void> {
  await Promise.resolve();
}

/** Waits for callbacks deferred with the default callSoon (setImmediate) to run. */
export async function turn(times = 2): Promise<void> {
  for (let i = 0; i < times; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
