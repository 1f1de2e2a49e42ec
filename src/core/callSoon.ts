/**
 * Schedules a callback for a later turn of the event loop, as asyncio's `loop.call_soon`.
 * Transports never call their protocol synchronously from a constructor or from the method that
 * caused the event
 * ([asyncio difference 3](../../docs/asyncio-differences.md#writing)); they defer
 * through one of these.
 */
export type CallSoon = (callback: () => void) => void;

interface TimerGlobals {
  setImmediate?: (callback: () => void) => unknown;
  setTimeout: (callback: () => void, ms: number) => unknown;
}

/**
 * The default deferral: the next macrotask (`setImmediate` where the platform has it), not a
 * microtask, so that I/O already queued runs first, as in asyncio's loop iteration [N1].
 * @internal
 */
export const defaultCallSoon: CallSoon = (() => {
  const timers = globalThis as unknown as TimerGlobals;
  const immediate = timers.setImmediate;
  if (immediate) return (callback: () => void) => void immediate(callback);
  return (callback: () => void) => void timers.setTimeout(callback, 0);
})();

/**
 * How gathered small writes are flushed by default: at the end of the current turn (a
 * microtask), so that writes made in one callback leave together and no later.
 * @internal
 */
export const defaultFlushSoon: CallSoon = (callback) => {
  queueMicrotask(callback);
};
