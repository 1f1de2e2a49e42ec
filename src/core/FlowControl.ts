import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { invalidArgType, outOfRange } from './argErrors.js';
import { TransportClosedError } from './errors.js';
import { reportException } from './exceptionHandler.js';
import type { BaseProtocol } from './protocols.js';

/** asyncio's default high water mark (64 KiB). */
export const DEFAULT_HIGH_WATER = 64 * 1024;

/** The transport whose write buffer a {@link FlowControl} watches. @internal */
export interface FlowControlHost {
  /** The buffer's size: the one source of it (`resumeWriting` may have written more). */
  getWriteBufferSize(): number;
  /** The protocol of the moment, told `pauseWriting` and `resumeWriting`. */
  getProtocol(): BaseProtocol<never>;
}

function checkLimit(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  // A safe integer: past 2^53 sizes are no longer exact, and 4 × low could reach Infinity.
  if (!Number.isSafeInteger(value)) throw outOfRange(name, 'a safe integer', value);
  return value;
}

/**
 * Resolves `setWriteBufferLimits(high, low)` as asyncio does [W12]: both missing → 64 KiB high;
 * only low → high = 4 × low; low missing → high / 4 floored.
 * @throws RangeError `ERR_OUT_OF_RANGE` unless `high >= low >= 0`.
 * @internal
 */
export function resolveWriteLimits(high?: unknown, low?: unknown): { high: number; low: number } {
  let hi = checkLimit('high', high);
  let lo = checkLimit('low', low);
  // 4 × low, kept a safe integer for a low near 2^53 (no buffer gets there).
  hi ??= lo === undefined ? DEFAULT_HIGH_WATER : Math.min(4 * lo, Number.MAX_SAFE_INTEGER);
  lo ??= Math.floor(hi / 4);
  if (!(hi >= lo && lo >= 0)) {
    throw outOfRange('high', `>= low (${lo}) and low must be >= 0`, hi);
  }
  return { high: hi, low: lo };
}

interface DrainWaiter {
  /** Resolve at or below the low mark (`'low'`), or only once the buffer is empty (`0`). */
  readonly until: 'low' | 0;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Write flow control over one write buffer (asyncio `_FlowControlMixin`): `pauseWriting` when
 * the buffered size rises strictly above the high mark, `resumeWriting` when it falls to the
 * low mark or below, strictly alternating [W13]; plus the Rx forms `writable$` and `drain()`.
 * @internal
 */
export class FlowControl {
  private highWater = DEFAULT_HIGH_WATER;
  private lowWater = DEFAULT_HIGH_WATER / 4;
  private paused = false;
  private finished: Error | null | undefined = undefined;
  /** Set when the buffer was dropped (abort, fatal error): waits reject from then on. */
  private dropped: Error | null = null;
  private readonly writable = new BehaviorSubject<boolean>(true);
  private drainWaiters: DrainWaiter[] = [];

  /** True at or below the high water mark; emits the current value on subscribe. */
  readonly writable$: Observable<boolean> = this.writable.pipe(distinctUntilChanged());

  constructor(private readonly host: FlowControlHost) {}

  get high(): number {
    return this.highWater;
  }

  get low(): number {
    return this.lowWater;
  }

  /** True between a `pauseWriting` and the following `resumeWriting`. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Applies new limits, then runs the pause check (never the resume check) [W12]. */
  setLimits(high?: unknown, low?: unknown): void {
    const limits = resolveWriteLimits(high, low);
    this.highWater = limits.high;
    this.lowWater = limits.low;
    this.afterGrow();
  }

  /** Runs after bytes were added to the buffer. */
  afterGrow(): void {
    if (this.paused || this.host.getWriteBufferSize() <= this.highWater) return;
    this.paused = true;
    const protocol = this.host.getProtocol();
    try {
      protocol.pauseWriting?.();
    } catch (exception) {
      this.reportHookError('protocol.pauseWriting() failed', exception, protocol);
    }
    this.writable.next(false);
  }

  /** Runs after bytes left the buffer. */
  afterShrink(): void {
    if (this.host.getWriteBufferSize() > this.lowWater) return;
    if (this.paused) {
      this.paused = false;
      const protocol = this.host.getProtocol();
      try {
        protocol.resumeWriting?.();
      } catch (exception) {
        this.reportHookError('protocol.resumeWriting() failed', exception, protocol);
      }
      // resumeWriting may have written past the high mark and paused again: writable$ said
      // false then, and must not say true after it.
      if (!this.paused) this.writable.next(true);
    }
    this.settle();
  }

  /** Resolves the drains the buffer's size satisfies, and only that (no hook, no `writable$`). */
  settle(): void {
    if (this.drainWaiters.length === 0) return;
    const size = this.host.getWriteBufferSize();
    const ready = this.drainWaiters.filter(
      (waiter) => size === 0 || (waiter.until === 'low' && size <= this.lowWater),
    );
    if (ready.length === 0) return;
    this.drainWaiters = this.drainWaiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  }

  /** Resolves once the buffer is at or below the low mark; rejects if the transport ends first. */
  drain(): Promise<void> {
    return this.wait('low');
  }

  /** Resolves once the buffer is empty; rejects if the transport ends first. */
  flushed(): Promise<void> {
    return this.wait(0);
  }

  private wait(until: 'low' | 0): Promise<void> {
    if (this.dropped) return Promise.reject(this.dropped);
    if (this.finished !== undefined) {
      return Promise.reject(this.finished ?? new TransportClosedError('Connection lost'));
    }
    if (this.host.getWriteBufferSize() <= (until === 'low' ? this.lowWater : 0)) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) =>
      this.drainWaiters.push({ until, resolve, reject }),
    );
  }

  /**
   * The buffer was dropped (abort, fatal error): pending and later drains reject with `error`
   * at once, since the bytes will never go out; `writable$` completes with the loss.
   */
  drop(error: Error): void {
    if (this.dropped || this.finished !== undefined) return;
    this.dropped = error;
    this.rejectWaiters(error);
  }

  /** The transport ended: pending drains reject, `writable$` completes. */
  finish(error: Error | null): void {
    if (this.finished !== undefined) return;
    this.finished = error;
    this.rejectWaiters(
      error ?? new TransportClosedError('Connection lost before the buffer drained'),
    );
    this.writable.complete();
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  private reportHookError(message: string, exception: unknown, protocol: unknown): void {
    reportException({ message, exception, transport: this.host, protocol });
  }
}
