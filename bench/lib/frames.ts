/**
 * A hand-written decoder of frames with a 4-byte big-endian length header, as a Protocol or
 * raw Node user writes one: each payload whole in a chunk is a view of it (`subarray`), one
 * split across chunks is assembled in a new array. The same work per message as rxtransport's
 * `lengthPrefixed` operator, without the Observable.
 */
export class FrameDecoder {
  private header = 0;
  private headerBytes = 0;
  /** The payload length being read, or -1 while reading a header. */
  private length = -1;
  private payload: Uint8Array | null = null;
  private have = 0;

  constructor(private readonly onFrame: (payload: Uint8Array) => void) {}

  feed(chunk: Uint8Array): void {
    const end = chunk.byteLength;
    let offset = 0;
    while (offset < end) {
      if (this.length < 0) {
        if (this.headerBytes === 0 && end - offset >= 4) {
          this.length =
            chunk[offset]! * 0x1000000 +
            ((chunk[offset + 1]! << 16) | (chunk[offset + 2]! << 8) | chunk[offset + 3]!);
          offset += 4;
        } else {
          while (this.headerBytes < 4 && offset < end) {
            this.header = this.header * 256 + chunk[offset]!;
            this.headerBytes += 1;
            offset += 1;
          }
          if (this.headerBytes < 4) return;
          this.length = this.header;
          this.header = 0;
          this.headerBytes = 0;
        }
        this.have = 0;
      }
      if (this.have === 0 && end - offset >= this.length) {
        const payload = chunk.subarray(offset, offset + this.length);
        offset += this.length;
        this.length = -1;
        this.onFrame(payload);
        continue;
      }
      this.payload ??= new Uint8Array(this.length);
      const take = Math.min(this.length - this.have, end - offset);
      this.payload.set(chunk.subarray(offset, offset + take), this.have);
      this.have += take;
      offset += take;
      if (this.have === this.length) {
        const payload = this.payload;
        this.payload = null;
        this.length = -1;
        this.onFrame(payload);
      }
    }
  }
}

/** A frame: the 4-byte big-endian length of `payload`, then `payload`. */
export function frameOf(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + payload.byteLength);
  new DataView(frame.buffer).setUint32(0, payload.byteLength);
  frame.set(payload, 4);
  return frame;
}
