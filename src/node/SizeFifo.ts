/**
 * A first-in first-out queue of 32-bit signed integers in a growable ring, so that
 * pushing and shifting allocate nothing once it is large enough (an array's `shift()` copies
 * or reallocates as it goes).
 * @internal
 */
export class SizeFifo {
  private ring = new Int32Array(64);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) & (this.ring.length - 1)] = value;
    this.count += 1;
  }

  /** The oldest value, removed; undefined when empty. */
  shift(): number | undefined {
    if (this.count === 0) return undefined;
    const value = this.ring[this.head];
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.count -= 1;
    return value;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** Doubles the ring (its length stays a power of two), oldest value first. */
  private grow(): void {
    const larger = new Int32Array(this.ring.length * 2);
    const tail = this.ring.subarray(this.head);
    larger.set(tail);
    larger.set(this.ring.subarray(0, this.head), tail.length);
    this.ring = larger;
    this.head = 0;
  }
}
