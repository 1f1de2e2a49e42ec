import { SendSlab } from '../../src/core/SendSlab';

/** `size` bytes, each `value`. */
const filled = (size: number, value: number): Uint8Array => new Uint8Array(size).fill(value);

describe('SendSlab', () => {
  describe('copy', () => {
    it('returns a copy that the caller mutating its buffer does not change', () => {
      const slab = new SendSlab();
      const data = filled(64, 1);
      const copy = slab.copy(data);
      data.fill(2);
      expect(copy).toEqual(filled(64, 1));
    });

    it('never writes over a copy that was not released, across slabs', () => {
      const slab = new SendSlab();
      // 3,000 copies of 64 bytes need three 64 KiB slabs.
      const copies = Array.from({ length: 3000 }, (_, i) => slab.copy(filled(64, i & 0xff)));
      copies.forEach((copy, i) => {
        expect(copy).toEqual(filled(64, i & 0xff));
      });
      expect(new Set(copies.map((copy) => copy.buffer)).size).toBe(3);
    });

    it('copies an empty array', () => {
      const slab = new SendSlab();
      expect(slab.copy(new Uint8Array(0)).byteLength).toBe(0);
    });

    it('gives a large datagram a buffer of its own', () => {
      const slab = new SendSlab();
      const small = slab.copy(filled(10, 1));
      const large = slab.copy(filled(8192, 2));
      expect(large.buffer).not.toBe(small.buffer);
      expect(large.byteLength).toBe(8192);
      expect(slab.copy(filled(10, 3)).buffer).toBe(small.buffer);
    });
  });

  describe('release', () => {
    it('takes back the space of the last copy: the next copy of that size is the same view', () => {
      const slab = new SendSlab();
      const first = slab.copy(filled(64, 1));
      slab.release(first);
      const second = slab.copy(filled(64, 2));
      expect(second).toBe(first);
      expect(second).toEqual(filled(64, 2));
    });

    it('puts a copy of another size at the same place, in a view of its own', () => {
      const slab = new SendSlab();
      const first = slab.copy(filled(64, 1));
      slab.release(first);
      const second = slab.copy(filled(32, 2));
      expect(second).not.toBe(first);
      expect(second.buffer).toBe(first.buffer);
      expect(second.byteOffset).toBe(first.byteOffset);
    });

    it('ignores a copy that is not the last one, and a second release', () => {
      const slab = new SendSlab();
      const kept = slab.copy(filled(64, 1));
      const last = slab.copy(filled(64, 2));
      slab.release(kept);
      slab.release(last);
      slab.release(last);
      const next = slab.copy(filled(64, 3));
      expect(kept).toEqual(filled(64, 1));
      expect(next.byteOffset).toBe(last.byteOffset);
      expect(slab.copy(filled(64, 4)).byteOffset).toBe(last.byteOffset + 64);
    });
  });
});
