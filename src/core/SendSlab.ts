/**
 * Bytes of each slab. Queued datagrams keep the slab they were copied into alive (the OS reads
 * them later), so a slab is not much larger than the default high water mark's worth of them.
 */
const SLAB_SIZE = 64 * 1024;
/** Larger datagrams get a buffer of their own, so that a slab never wastes more than this. */
const MAX_SLAB_COPY = 4 * 1024;

/**
 * The private copies `sendto` makes (the caller may mutate its buffer once `sendto` returns),
 * taken from a shared off-heap buffer instead of one new buffer per datagram.
 *
 * A copy of up to 64 bytes in a buffer of its own would be allocated on V8's heap, and a handle
 * that gives it to the OS makes V8 move it off the heap first: an allocation, a copy and GC work
 * for every datagram. A view into the slab costs an object at most; and a datagram that left at
 * once gives its space back (`release`), so while nothing queues one slab, and one view of it,
 * serve every send of one size. Space of a queued datagram is never reused: once the slab is
 * full, the next copy starts a new one, and the old one goes when its last queued datagram has
 * been sent.
 * @internal
 */
export class SendSlab {
  private buffer = new ArrayBuffer(SLAB_SIZE);
  private bytes = new Uint8Array(this.buffer);
  private used = 0;
  /** The last copy taken from the slab, where it starts, and whether it was released. */
  private last: Uint8Array | null = null;
  private lastStart = 0;
  private lastReleased = false;

  /** A copy of `data` that nothing else writes to until it is `release`d. */
  copy(data: Uint8Array): Uint8Array {
    const size = data.byteLength;
    if (size > MAX_SLAB_COPY) {
      const own = new Uint8Array(size);
      own.set(data);
      return own;
    }
    if (this.used + size > SLAB_SIZE) {
      this.buffer = new ArrayBuffer(SLAB_SIZE);
      this.bytes = new Uint8Array(this.buffer);
      this.used = 0;
      this.last = null;
    }
    const offset = this.used;
    this.bytes.set(data, offset);
    this.used = offset + size;
    // A released last copy starts where this one does (`release` took its space back), and
    // nobody references it any more: the same size makes it this copy's view.
    const last = this.last;
    const copy =
      last !== null && this.lastReleased && last.byteLength === size
        ? last
        : new Uint8Array(this.buffer, offset, size);
    this.last = copy;
    this.lastStart = offset;
    this.lastReleased = false;
    return copy;
  }

  /**
   * `copy` is no longer referenced by anyone: its space is taken again if it was the last copy
   * made (the case of a datagram that left at once, released before the next `sendto`).
   */
  release(copy: Uint8Array): void {
    if (copy !== this.last || this.lastReleased) return;
    this.used = this.lastStart;
    this.lastReleased = true;
  }
}
