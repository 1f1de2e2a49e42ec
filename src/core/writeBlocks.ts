/**
 * Recycled memory for the bytes a transport must copy (what the OS did not take at once), so
 * that busy connections' copies do not become garbage: a process that allocates copies as fast
 * as it writes keeps V8's collector busy (W7 in bench/README.md: a thousand echoing
 * connections ran twice as many full collections, at two thirds of the throughput, without it).
 *
 * A block returns here only once its handle reported the write done and keeps no reference to
 * it (a socket or pipe: the kernel copied the bytes). The pool keeps what a burst needed, up to
 * 64 MiB, and every second gives back half of what the last second did not use.
 * @internal
 */

/** The size of a block: a write's copy up to this size goes into one. */
export const WRITE_BLOCK_SIZE = 64 * 1024;
/** Most blocks kept (64 MiB), and what is kept however long the pool is idle (1 MiB). */
const MAX_KEPT = 1024;
const RESERVE = 16;
const TRIM_MS = 1000;

interface TimerGlobals {
  setTimeout: (callback: () => void, ms: number) => { unref?: () => void } | number;
}

const free: Uint8Array[] = [];
let takenSinceTrim = 0;
let trimScheduled = false;

/** A block to copy into: a recycled one when there is one. */
export function takeWriteBlock(): Uint8Array {
  takenSinceTrim += 1;
  return free.pop() ?? new Uint8Array(WRITE_BLOCK_SIZE);
}

/** Blocks whose bytes the OS has taken. */
export function releaseWriteBlocks(blocks: readonly Uint8Array[]): void {
  for (const block of blocks) {
    if (free.length >= MAX_KEPT) break;
    free.push(block);
  }
  scheduleTrim();
}

/** Blocks kept now (for tests). @internal */
export function keptWriteBlocks(): number {
  return free.length;
}

function scheduleTrim(): void {
  if (trimScheduled || free.length <= RESERVE) return;
  trimScheduled = true;
  const timer = (globalThis as unknown as TimerGlobals).setTimeout(() => {
    trimScheduled = false;
    // Keep what the last second used; give back half of the rest.
    const used = Math.max(RESERVE, takenSinceTrim);
    if (free.length > used) free.length = Math.max(used, free.length >> 1);
    takenSinceTrim = 0;
    scheduleTrim();
  }, TRIM_MS);
  // The pool never keeps a process alive.
  if (typeof timer === 'object') timer.unref?.();
}
