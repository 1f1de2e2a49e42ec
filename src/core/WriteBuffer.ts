import type { CallSoon } from './callSoon.js';
import type { StreamHandle } from './handle.js';
import { releaseWriteBlocks, takeWriteBlock, WRITE_BLOCK_SIZE } from './writeBlocks.js';

/** Writes smaller than this are gathered, per turn, into one contiguous buffer. */
export const SMALL_WRITE = 16 * 1024;
/** The gather buffer starts this small and doubles as a burst needs. */
const GATHER_MIN = 1024;
/** Largest gather buffer: a full one goes out at once. */
const GATHER_MAX = 64 * 1024;

/** The transport a write buffer belongs to. @internal */
export interface WriteBufferOwner {
  /** The high-water mark: once the buffer holds more, gathered bytes go out at once. */
  readonly writeHighWater: number;
  /** Bytes left the buffer outside of `write()`: a deferred flush ran or the handle finished. */
  writeBufferShrank(): void;
}

/**
 * asyncio's transport write buffer over a {@link StreamHandle}, with no copy when the OS takes
 * the bytes at once.
 *
 * - A large write made while nothing is in flight goes straight to the handle's `tryWrite`
 *   (asyncio's `sock.send()` first [W2]); only what the OS did not take is copied. Once the OS
 *   refuses part of a write, writes go through the handle's own `write()` (which waits for
 *   room) until the handle takes one at once again: a refused `tryWrite` is a wasted system
 *   call, and on Node a costly exception.
 * - Small writes made in one turn are copied into one reused buffer and handed over together
 *   at the end of the turn (or at once past the high-water mark), so that a thousand 64-byte
 *   writes make one system call, not a thousand.
 * - While a write is in flight, everything is copied and queued, and the queue goes out in one
 *   batch when the handle finishes: the caller may reuse its buffer as soon as `write()`
 *   returns (asyncio 3.12+ keeps references instead [W3]).
 * @internal
 */
export class WriteBuffer {
  private writing = false;
  private inFlight = 0;
  /** Owned chunks waiting behind the write in flight, oldest first. */
  private queue: Uint8Array[] = [];
  private queued = 0;
  /** Small writes not handed over yet; they follow everything in `queue`. */
  private gather: Uint8Array | null = null;
  private gathered = 0;
  private flushScheduled = false;
  private shrinkScheduled = false;
  /** Whether the OS kept up with the last write, so that `tryWrite` is worth a try. */
  private direct = true;
  /** Recycled blocks holding copies in `queue` (or about to be handed over), and in flight. */
  private queuedBlocks: Uint8Array[] = [];
  private inFlightBlocks: Uint8Array[] = [];

  /**
   * @param flushSoon defers the flush of gathered small writes to the end of the current turn
   */
  constructor(
    private readonly handle: StreamHandle,
    private readonly flushSoon: CallSoon,
    private readonly owner: WriteBufferOwner,
  ) {}

  /** Bytes written and not yet accepted by the OS. */
  get size(): number {
    const below = this.handle.platformBuffered?.() ?? 0;
    return this.inFlight + this.queued + this.gathered + below;
  }

  /**
   * Takes `view` (not retained: copied unless the OS takes it at once). When bytes went out on
   * the way, the owner hears of it at the end of the turn, never from inside `write()`
   * (asyncio never calls `resume_writing` from `write()`).
   */
  write(view: Uint8Array): void {
    const expected = this.size + view.byteLength;
    this.place(view);
    if (this.size < expected) this.tellOwnerSoon();
  }

  private place(view: Uint8Array): void {
    if (this.handle.messages === true) {
      this.placeMessage(view);
      return;
    }
    const small = view.byteLength < SMALL_WRITE;
    if (small) {
      this.gatherBytes(view);
    } else {
      // The gathered bytes go first: out now if nothing is in flight, else queued.
      if (this.writing) this.seal();
      else this.flushGathered();
      if (this.writing) this.enqueue(this.copy(view));
      else this.send(view);
    }
    if (this.writing || this.gathered === 0) return;
    if (this.size > this.owner.writeHighWater) this.flushGathered();
    else this.scheduleFlush();
  }

  /**
   * A message handle's write: one chunk per message, never gathered or split, and copied (a
   * platform may keep the array until the message is on the wire: `ws` when it compresses).
   */
  private placeMessage(view: Uint8Array): void {
    const copy = copyOf(view);
    if (this.writing) this.enqueue(copy);
    else this.handOff([copy], copy.byteLength);
  }

  /**
   * Takes a message the transport built itself (an encoded text message): never copied, so
   * that the handle sees the same array.
   */
  writeOwned(bytes: Uint8Array): void {
    const expected = this.size + bytes.byteLength;
    if (this.writing) this.enqueue(bytes);
    else this.handOff([bytes], bytes.byteLength);
    if (this.size < expected) this.tellOwnerSoon();
  }

  /**
   * Hands over what was gathered this turn now (before close or EOF); true when bytes went out,
   * in which case the owner hears of it at the end of the turn.
   */
  flushNow(): boolean {
    const before = this.size;
    this.flushGathered();
    if (this.size >= before) return false;
    this.tellOwnerSoon();
    return true;
  }

  private tellOwnerSoon(): void {
    if (this.shrinkScheduled) return;
    this.shrinkScheduled = true;
    this.flushSoon(() => {
      this.shrinkScheduled = false;
      this.owner.writeBufferShrank();
    });
  }

  /** Drops everything (abort, fatal error); a completion still owed is ignored. */
  clear(): void {
    this.writing = false;
    this.inFlight = 0;
    this.queue = [];
    this.queued = 0;
    this.gathered = 0;
    // The handle may still be reading them: these blocks are left to the GC.
    this.queuedBlocks = [];
    this.inFlightBlocks = [];
  }

  private gatherBytes(view: Uint8Array): void {
    if (this.gathered > 0 && this.gathered + view.byteLength > GATHER_MAX) {
      // Full: hand it over (or queue it behind the write in flight) and start again.
      if (this.writing) this.seal();
      else this.flushGathered();
    }
    const needed = this.gathered + view.byteLength;
    let gather = this.gather;
    if (gather === null || needed > gather.byteLength) gather = this.grow(needed);
    gather.set(view, this.gathered);
    this.gathered = needed;
  }

  private grow(needed: number): Uint8Array {
    const old = this.gather;
    let capacity = Math.max(GATHER_MIN, old === null ? 0 : old.byteLength);
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    if (old !== null && this.gathered > 0) grown.set(old.subarray(0, this.gathered));
    this.gather = grown;
    return grown;
  }

  /** Moves the gathered bytes to the end of the queue (they are the queue's now). */
  private seal(): void {
    if (this.gathered === 0 || this.gather === null) return;
    this.enqueue(this.gather.subarray(0, this.gathered));
    this.gather = null;
    this.gathered = 0;
  }

  private enqueue(chunk: Uint8Array): void {
    this.queue.push(chunk);
    this.queued += chunk.byteLength;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.flushSoon(() => {
      this.flushScheduled = false;
      if (this.writing || this.gathered === 0) return;
      this.flushGathered();
      this.owner.writeBufferShrank();
    });
  }

  /** Sends the gathered bytes; the buffer is kept for the next turn unless the handle took it. */
  private flushGathered(): void {
    const gather = this.gather;
    if (this.writing || this.gathered === 0 || gather === null) return;
    const bytes = gather.subarray(0, this.gathered);
    const sent = this.tryDirect(bytes);
    this.gathered = 0;
    if (sent < bytes.byteLength) {
      // The gather buffer stays for the next turn: what was refused is copied out of it.
      const rest = this.copy(sent === 0 ? bytes : bytes.subarray(sent));
      this.handOff([rest], rest.byteLength);
    }
  }

  /** Sends a caller's bytes, nothing being in flight: only the part the OS refused is copied. */
  private send(view: Uint8Array): void {
    const sent = this.tryDirect(view);
    if (sent < view.byteLength) {
      const rest = this.copy(sent === 0 ? view : view.subarray(sent));
      this.handOff([rest], rest.byteLength);
    }
  }

  /** `tryWrite` while the OS keeps up; how many bytes it took. */
  private tryDirect(bytes: Uint8Array): number {
    if (!this.direct || !this.handle.tryWrite) return 0;
    const sent = this.handle.tryWrite(bytes);
    if (sent < bytes.byteLength) this.direct = false;
    return sent;
  }

  /** A private copy of `view`: in a recycled block when the handle lets them be reused. */
  private copy(view: Uint8Array): Uint8Array {
    // A block is 64 KiB: only copies of a large write's size are worth one.
    if (
      this.handle.releasesWrites !== true ||
      view.byteLength < SMALL_WRITE ||
      view.byteLength > WRITE_BLOCK_SIZE
    ) {
      return copyOf(view);
    }
    const block = takeWriteBlock();
    block.set(view);
    this.queuedBlocks.push(block);
    return block.subarray(0, view.byteLength);
  }

  /** Hands `chunks` (everything queued) to the handle. */
  private handOff(chunks: Uint8Array[], total: number): void {
    this.writing = true;
    this.inFlight = total;
    this.inFlightBlocks = this.queuedBlocks;
    this.queuedBlocks = [];
    if (this.handle.write(chunks, this.onWriteDone)) {
      this.writing = false;
      this.inFlight = 0;
      this.direct = true;
      this.releaseInFlight();
    }
  }

  private releaseInFlight(): void {
    if (this.inFlightBlocks.length === 0) return;
    releaseWriteBlocks(this.inFlightBlocks);
    this.inFlightBlocks = [];
  }

  private readonly onWriteDone = (): void => {
    if (!this.writing) return;
    this.writing = false;
    this.inFlight = 0;
    this.releaseInFlight();
    if (this.queue.length > 0) {
      const chunks = this.queue;
      const total = this.queued;
      this.queue = [];
      this.queued = 0;
      this.handOff(chunks, total);
    }
    // The gathered bytes follow the queue; they stay gathered while it is in flight.
    this.flushGathered();
    this.owner.writeBufferShrank();
  };
}

/**
 * A private copy. `slice()` of a plain Uint8Array skips the zero-fill that `new Uint8Array(n)`
 * pays; a Node Buffer's own `slice()` would be a view, hence the plain view first. A view over
 * a SharedArrayBuffer is copied with `set()`, which reads from any backing store.
 */
function copyOf(view: Uint8Array): Uint8Array {
  if (Object.prototype.toString.call(view.buffer) === '[object ArrayBuffer]') {
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  }
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
}
