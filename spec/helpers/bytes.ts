/**
 * Deterministic payloads and digests for the real-I/O specs. The bytes at an offset do not
 * depend on how the payload is cut into chunks, so a writer can produce a large payload a chunk
 * at a time (in another process, too) and a reader can check it by digest.
 */
import { createCipheriv, createHash, type Hash } from 'node:crypto';

export const KiB = 1024;
export const MiB = 1024 * 1024;

/**
 * `length` pseudo-random bytes of the stream that starts at `offset` (a multiple of 16): the
 * AES-128-CTR keystream of a key derived from `seed`, so any chunk of the stream can be made on
 * its own, at native speed. Reordered, repeated or lost chunks change the digest.
 */
export function patternChunk(offset: number, length: number, seed = 1): Uint8Array {
  if (offset % 16 !== 0) {
    throw new RangeError(`patternChunk: offset ${offset} is not a multiple of 16`);
  }
  const key = Buffer.alloc(16);
  key.writeUInt32BE(seed >>> 0, 12);
  // The counter block of the first byte: offset / 16, big-endian, in the low 64 bits.
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(offset / 16), 8);
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  const out = cipher.update(Buffer.alloc(length));
  cipher.final();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The whole pattern payload of `size` bytes in one array. */
export function patternBytes(size: number, seed = 1): Uint8Array {
  return patternChunk(0, size, seed);
}

/** Hex SHA-256 of the concatenation of `chunks`. */
export function sha256(...chunks: Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

/** SHA-256 and length of the pattern payload of `size` bytes, computed a chunk at a time. */
export function patternDigest(size: number, seed = 1, chunkSize = 1 << 20): string {
  const hasher = new Hasher();
  for (let offset = 0; offset < size; offset += chunkSize) {
    hasher.update(patternChunk(offset, Math.min(chunkSize, size - offset), seed));
  }
  return hasher.digest();
}

/** An incremental SHA-256 that also counts bytes, for payloads too large to keep. */
export class Hasher {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Writes `payload` to `write` in chunks of `chunkSize` bytes. */
export function writeChunked(
  write: (chunk: Uint8Array) => void,
  payload: Uint8Array,
  chunkSize = 64 * 1024,
): void {
  for (let offset = 0; offset < payload.byteLength; offset += chunkSize) {
    write(payload.subarray(offset, offset + chunkSize));
  }
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
