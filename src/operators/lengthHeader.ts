/**
 * Big-endian length headers of 1, 2 or 4 bytes, read and written with byte arithmetic: per
 * 64-byte frame, a DataView (or a loop over the header's bytes) costs more than the rest of the
 * frame's work.
 */

/**
 * Writes `length` in the first `headerBytes` bytes of `frame`; `length` fits the header.
 * @internal
 */
export function writeLength(frame: Uint8Array, headerBytes: 1 | 2 | 4, length: number): void {
  switch (headerBytes) {
    case 4:
      frame[0] = length >>> 24;
      frame[1] = (length >>> 16) & 0xff;
      frame[2] = (length >>> 8) & 0xff;
      frame[3] = length & 0xff;
      return;
    case 2:
      frame[0] = length >>> 8;
      frame[1] = length & 0xff;
      return;
    case 1:
      frame[0] = length;
      return;
  }
}

/**
 * Reads the length at `offset` in `chunk`, which holds all `headerBytes` bytes of it.
 * @internal
 */
export function readLength(chunk: Uint8Array, offset: number, headerBytes: 1 | 2 | 4): number {
  switch (headerBytes) {
    case 4:
      // The top byte is multiplied, not shifted, so that 0x80 and above stay unsigned.
      return (
        (chunk[offset] as number) * 0x1000000 +
        (((chunk[offset + 1] as number) << 16) |
          ((chunk[offset + 2] as number) << 8) |
          (chunk[offset + 3] as number))
      );
    case 2:
      return ((chunk[offset] as number) << 8) | (chunk[offset + 1] as number);
    case 1:
      return chunk[offset] as number;
  }
}
