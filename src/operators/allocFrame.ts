/** Frames up to this size are carved out of a shared slab; larger ones get their own array. */
export const POOLED_MAX = 1024;
/** Size of a slab: a frame kept alive keeps at most this much memory alive with it. */
const SLAB_SIZE = 16 * 1024;

let slab = new ArrayBuffer(0);
let used = 0;

/**
 * A new zero-filled `Uint8Array` of `size` bytes for one outgoing frame.
 *
 * Small frames are views of a shared slab, as Node's `Buffer.allocUnsafe` pools, for two
 * reasons. V8 keeps a typed array of 64 bytes or less on the JavaScript heap until something
 * reads its `.buffer`, which a transport's `write()` does: that read moves it off the heap,
 * an allocation and a copy that cost several times the frame itself. And a small array of its
 * own off the heap costs a `malloc` and the GC's bookkeeping of external memory. Each range of
 * a slab is handed out once, so frames never share bytes; only their `.buffer` is shared
 * (`byteOffset` tells where a frame starts).
 *
 * A slab whose buffer was detached (transferred) has `byteLength` 0 and is replaced as if full.
 * @internal
 */
export function allocFrame(size: number): Uint8Array {
  if (size > POOLED_MAX) return new Uint8Array(size);
  if (used + size > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const frame = new Uint8Array(slab, used, size);
  used += size;
  return frame;
}
