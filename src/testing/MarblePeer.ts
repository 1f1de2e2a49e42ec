import type { Observable, Observer } from 'rxjs';

/**
 * The peer of a marble stream transport when its reading is drawn: written bytes wait in a
 * bounded buffer between us and the peer (a socket's kernel buffers), and leave it only at the
 * frames of the peer's reads. What does not fit stays in the writer's write buffer, so the
 * writer's water marks move in virtual time.
 * @internal
 */
export class MarblePeer {
  private readonly kernel: Uint8Array[] = [];
  private kernelBytes = 0;
  private pending: Uint8Array[] = [];
  private pendingDone: (() => void) | null = null;
  private eofWanted = false;
  private ended = false;

  /**
   * @param reads - at each value the peer reads that many bytes (`Infinity`: all there is)
   * @param capacity - bytes that fit between us and the peer
   * @param written - hears each read, and completes once EOF reached the peer
   * @param onError - a reset drawn in `reads`
   */
  constructor(
    reads: Observable<number>,
    private readonly capacity: number,
    private readonly written: Pick<Observer<Uint8Array>, 'next' | 'complete'>,
    onError: (error: unknown) => void,
  ) {
    reads.subscribe({
      next: (count) => {
        this.read(count);
      },
      error: (error: unknown) => {
        if (!this.ended) onError(error);
      },
    });
  }

  /** Takes what fits; true when every byte did, else `done` runs once the rest has gone in. */
  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    this.pending.push(...chunks);
    this.pump();
    if (this.pending.length === 0) return true;
    this.pendingDone = done;
    return false;
  }

  /** EOF follows the bytes written: the peer sees it once it has read them. */
  shutdown(): void {
    this.eofWanted = true;
    this.maybeEnd();
  }

  /** The connection is gone: nothing more is read. */
  close(): void {
    this.ended = true;
    this.pending = [];
    this.pendingDone = null;
  }

  private read(count: number): void {
    if (this.ended || this.kernelBytes === 0) return;
    const taken: Uint8Array[] = [];
    let left = Math.min(count, this.kernelBytes);
    while (left > 0) {
      const chunk = this.kernel[0] as Uint8Array;
      if (chunk.byteLength <= left) {
        this.kernel.shift();
        taken.push(chunk);
        left -= chunk.byteLength;
      } else {
        taken.push(chunk.subarray(0, left));
        this.kernel[0] = chunk.subarray(left);
        left = 0;
      }
    }
    const bytes = concat(taken);
    this.kernelBytes -= bytes.byteLength;
    if (bytes.byteLength > 0) this.written.next(bytes);
    this.pump();
    if (this.pending.length === 0 && this.pendingDone) {
      const done = this.pendingDone;
      this.pendingDone = null;
      done();
    }
    this.maybeEnd();
  }

  private pump(): void {
    while (this.pending.length > 0 && this.kernelBytes < this.capacity) {
      const chunk = this.pending[0] as Uint8Array;
      const room = this.capacity - this.kernelBytes;
      const part = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
      if (part === chunk) this.pending.shift();
      else this.pending[0] = chunk.subarray(room);
      this.kernel.push(part);
      this.kernelBytes += part.byteLength;
    }
  }

  private maybeEnd(): void {
    if (this.ended || !this.eofWanted || this.kernelBytes > 0 || this.pending.length > 0) return;
    this.ended = true;
    this.written.complete();
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
