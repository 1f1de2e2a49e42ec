/**
 * lengthPrefixed's memory use: payloads as views of their chunk (at the chunk's byte offset),
 * copies where a view would keep a chunk alive or see a reused buffer, and exact-size assembly.
 */
import { Observable, toArray } from 'rxjs';
import { lengthPrefixed } from '../../src/operators/lengthPrefixed';
import { bytes, run } from './lengthPrefixed.helpers';

describe('lengthPrefixed', () => {
  describe('memory', () => {
    it('emits a payload that lies inside one chunk as a view of that chunk', () => {
      const chunk = bytes(1, 65, 2, 66, 67, 3, 68);
      const payloads = run([chunk, bytes(69, 70)], lengthPrefixed({ headerBytes: 1 }));
      expect(payloads).toEqual([bytes(65), bytes(66, 67), bytes(68, 69, 70), '|']);
      expect((payloads[0] as Uint8Array).buffer).toBe(chunk.buffer);
      expect((payloads[1] as Uint8Array).buffer).toBe(chunk.buffer);
      expect((payloads[2] as Uint8Array).buffer).not.toBe(chunk.buffer);
    });

    it('emits views at the right place of a chunk that starts inside its buffer', () => {
      const backing = new Uint8Array(32).fill(0xee);
      backing.set([2, 65, 66, 0, 1, 67], 10);
      const chunk = backing.subarray(10, 16);
      const payloads = run([chunk], lengthPrefixed({ headerBytes: 1 }));
      expect(payloads).toEqual([bytes(65, 66), bytes(), bytes(67), '|']);
      expect((payloads[0] as Uint8Array).byteOffset).toBe(11);
      expect((payloads[2] as Uint8Array).byteOffset).toBe(15);
      const pooled = Buffer.from([0, 2, 68, 69]); // Node's pool: a non-zero byteOffset
      expect(run([pooled], lengthPrefixed({ headerBytes: 2 }))).toEqual([bytes(68, 69), '|']);
    });

    it('emits an empty payload that does not keep its chunk alive', () => {
      const chunk = bytes(0, 1, 65);
      const payloads = run([chunk], lengthPrefixed({ headerBytes: 1 }));
      expect(payloads).toEqual([bytes(), bytes(65), '|']);
      expect((payloads[0] as Uint8Array).buffer).not.toBe(chunk.buffer);
    });

    it('copies a partial payload, so a producer may reuse its buffer', () => {
      const buffer = bytes(2, 97);
      const source = new Observable<Uint8Array>((subscriber) => {
        subscriber.next(buffer);
        buffer.fill(0x7a); // the producer reads its next chunk into the same memory
        subscriber.next(bytes(98));
        subscriber.complete();
      });
      let result: Uint8Array[] = [];
      source.pipe(lengthPrefixed({ headerBytes: 1 }), toArray()).subscribe((all) => {
        result = all;
      });
      expect(result).toEqual([bytes(97, 98)]);
    });

    it('assembles a large payload from small chunks in a buffer of its exact size', () => {
      const payload = new Uint8Array(200_000).map((_, i) => i % 251);
      const stream = new Uint8Array(4 + payload.byteLength);
      stream.set(bytes(0, 3, 0x0d, 0x40));
      stream.set(payload, 4);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < stream.byteLength; i += 7_001) chunks.push(stream.subarray(i, i + 7_001));
      const result = run(chunks, lengthPrefixed({ headerBytes: 4 }));
      expect(result).toHaveLength(2);
      expect(Buffer.compare(result[0] as Uint8Array, payload)).toBe(0); // faster than toEqual
      expect((result[0] as Uint8Array).buffer.byteLength).toBe(200_000);
      expect(result[1]).toBe('|');
    });
  });
});
