/**
 * Recycled memory for the bytes a transport must copy (what the OS did not take at once), so
 * that a busy connection's copies do not become garbage: a process that allocates copies as
 * fast as it writes starves V8, whose collector runs for every 64 MiB of new buffers.
 *
 * A block returns here only once its handle reported the write done and keeps no reference to
 * it (a socket or pipe: the kernel copied the bytes). A few are kept; the rest go to the GC.
 * @internal
 */

/** The size of a block: a write's copy up to this size goes into one. */
export const WRITE_BLOCK_SIZE = 64 * 1024;
/** Blocks kept for reuse, for all transports together (4 MiB). */
const KEPT_BLOCKS = 64;

const free: Uint8Array[] = [];

/** A block to copy into: a recycled one when there is one. */
export function takeWriteBlock(): Uint8Array {
  return free.pop() ?? new Uint8Array(WRITE_BLOCK_SIZE);
}

/** Blocks whose bytes the OS has taken. */
export function releaseWriteBlocks(blocks: readonly Uint8Array[]): void {
  for (const block of blocks) {
    if (free.length >= KEPT_BLOCKS) return;
    free.push(block);
  }
}
