import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { invalidArgType, outOfRange } from './argErrors.js';
import { TransportClosedError } from './errors.js';

/** asyncio's default high water mark (64 KiB) [W12]. */
export const DEFAULT_HIGH_WATER = 64 * 1024;

/** Where a write buffer's pause and resume go (the protocol's `pauseWriting`/`resumeWriting`). */
export interface FlowControlHooks {
  pauseWriting(): void;
  resumeWriting(): void;
  /** The buffer's size now (`resumeWriting` may have written more). */
  size(): number;
}

function checkLimit(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isFinite(value) || !Number.isInteger(value))
    throw outOfRange(name, 'a finite integer', value);
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
  hi ??= lo === undefined ? DEFAULT_HIGH_WATER : 4 * lo;
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
  private readonly writable = new BehaviorSubject<boolean>(true);
  private drainWaiters: DrainWaiter[] = [];

  /** True at or below the high water mark; emits the current value on subscribe. */
  readonly writable$: Observable<boolean> = this.writable.pipe(distinctUntilChanged());

  constructor(
    private readonly hooks: FlowControlHooks,
    private readonly onHookError: (message: string, error: unknown) => void,
  ) {}

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
  setLimits(size: number, high?: unknown, low?: unknown): void {
    const limits = resolveWriteLimits(high, low);
    this.highWater = limits.high;
    this.lowWater = limits.low;
    this.afterGrow(size);
  }

  /** Runs after bytes were added to the buffer. */
  afterGrow(size: number): void {
    if (this.paused || size <= this.highWater) return;
    this.paused = true;
    try {
      this.hooks.pauseWriting();
    } catch (error) {
      this.onHookError('protocol.pauseWriting() failed', error);
    }
    this.writable.next(false);
  }

  /** Runs after bytes left the buffer. */
  afterShrink(size: number): void {
    if (size > this.lowWater) return;
    if (this.paused) {
      this.paused = false;
      try {
        this.hooks.resumeWriting();
      } catch (error) {
        this.onHookError('protocol.resumeWriting() failed', error);
      }
      // resumeWriting may have written past the high mark and paused again: writable$ said
      // false then, and must not say true after it.
      if (!this.paused) this.writable.next(true);
    }
    this.settle(this.hooks.size());
  }

  /** Resolves the drains that `size` satisfies, and only that (no hook, no `writable$`). */
  settle(size: number): void {
    if (this.drainWaiters.length === 0) return;
    const ready = this.drainWaiters.filter(
      (waiter) => size === 0 || (waiter.until === 'low' && size <= this.lowWater),
    );
    if (ready.length === 0) return;
    this.drainWaiters = this.drainWaiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  }

  /** Resolves once the buffer is at or below the low mark; rejects if the transport ends first. */
  drain(size: number): Promise<void> {
    return this.wait(size, 'low');
  }

  /** Resolves once the buffer is empty; rejects if the transport ends first. */
  flushed(size: number): Promise<void> {
    return this.wait(size, 0);
  }

  private wait(size: number, until: 'low' | 0): Promise<void> {
    if (this.finished !== undefined) {
      return Promise.reject(this.finished ?? new TransportClosedError('Connection lost'));
    }
    if (size <= (until === 'low' ? this.lowWater : 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) =>
      this.drainWaiters.push({ until, resolve, reject }),
    );
  }

  /** The transport ended: pending drains reject, `writable$` completes. */
  finish(error: Error | null): void {
    if (this.finished !== undefined) return;
    this.finished = error;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters)
      waiter.reject(error ?? new TransportClosedError('Connection lost before the buffer drained'));
    this.writable.complete();
  }
}
