import type { Writable } from 'node:stream';
import type { WriteTransport } from '../../src/index.js';

/**
 * Writes `total` bytes as `chunk`s while not paused, then calls `finish` once. The three
 * senders below drive it from rxtransport's Rx surface, from a protocol's
 * `pauseWriting`/`resumeWriting`, and from a Node stream's `write()` result and 'drain'.
 */
export class WritePump {
  private sent = 0;
  private paused = false;
  private finished = false;

  constructor(
    private readonly write: (chunk: Uint8Array) => void,
    private readonly chunk: Uint8Array,
    private readonly total: number,
    private readonly finish: () => void,
  ) {}

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.run();
  }

  run(): void {
    const size = this.chunk.byteLength;
    while (!this.paused && this.sent < this.total) {
      const n = Math.min(size, this.total - this.sent);
      this.sent += n;
      this.write(n === size ? this.chunk : this.chunk.subarray(0, n));
    }
    if (this.sent >= this.total && !this.finished) {
      this.finished = true;
      this.finish();
    }
  }
}

/** The Rx way: `sink.next` while `writable$` is true; `sink.complete()` (EOF) at the end. */
export function rxSend(
  transport: WriteTransport,
  chunk: Uint8Array,
  total: number,
  end = true,
): void {
  const pump = new WritePump(
    (c) => {
      transport.sink.next(c);
    },
    chunk,
    total,
    () => {
      if (end) transport.sink.complete();
    },
  );
  transport.writable$.subscribe((writable) => {
    if (writable) pump.resume();
    else pump.pause();
  });
}

/** Raw Node used well: `write()` until it returns false, then wait for 'drain'. */
export function rawSend(stream: Writable, chunk: Uint8Array, total: number, end = true): void {
  const pump = new WritePump(
    (c) => {
      if (!stream.write(c)) pump.pause();
    },
    chunk,
    total,
    () => {
      if (end) stream.end();
    },
  );
  stream.on('drain', () => {
    pump.resume();
  });
  pump.run();
}
