/**
 * WriteBuffer over a FakeStreamHandle, with its hooks in the test's hands: the end of the turn
 * is `endTurn()` (running what `flushSoon` deferred), the high-water mark is a variable, and
 * the owner's `writeBufferShrank` calls are counted.
 */
import { SMALL_WRITE, WriteBuffer } from '../../src/core/WriteBuffer';
import { FakeStreamHandle, bytes } from '../helpers/FakeStreamHandle';

function setup(handle = new FakeStreamHandle()) {
  const deferred: (() => void)[] = [];
  const state = { highWater: 64 * 1024, shrank: 0 };
  const buffer = new WriteBuffer(handle, (flush) => deferred.push(flush), {
    get writeHighWater() {
      return state.highWater;
    },
    writeBufferShrank: () => {
      state.shrank += 1;
    },
  });
  /** Runs what was deferred to the end of the turn, and what that deferred in turn. */
  const endTurn = (): void => {
    while (deferred.length > 0) deferred.shift()!();
  };
  return { handle, buffer, state, endTurn, deferred };
}

const small = (text: string): Uint8Array => bytes(text);
const large = (fill: number, size = SMALL_WRITE): Uint8Array => new Uint8Array(size).fill(fill);
const concat = (chunks: readonly Uint8Array[]): Buffer => Buffer.concat(chunks);

describe('WriteBuffer', () => {
  describe('small writes', () => {
    it('gathers the small writes of one turn and hands them over once, at its end', () => {
      const { handle, buffer, endTurn } = setup();
      buffer.write(small('one '));
      buffer.write(small('two '));
      buffer.write(small('three'));
      expect(handle.handed).toEqual([]);
      expect(buffer.size).toBe(13);
      endTurn();
      expect(handle.handed).toHaveLength(1);
      expect(handle.text()).toBe('one two three');
      expect(buffer.size).toBe(13); // in flight until the handle finishes
      handle.completeWrite();
      expect(buffer.size).toBe(0);
    });

    it('offers gathered bytes to tryWrite once, and tells the transport at the end of the turn', () => {
      const { handle, buffer, state, endTurn } = setup(new FakeStreamHandle().acceptDirect());
      for (let i = 0; i < 100; i += 1) buffer.write(small('0123456789'));
      expect(handle.offered).toHaveLength(0);
      expect(state.shrank).toBe(0);
      endTurn();
      expect(handle.offered).toHaveLength(1);
      expect(handle.text()).toBe('0123456789'.repeat(100));
      expect(buffer.size).toBe(0);
      expect(state.shrank).toBe(1);
    });

    it('copies small writes: the caller may reuse its array as soon as write() returns', () => {
      const { handle, buffer, endTurn } = setup();
      const data = small('keep');
      buffer.write(data);
      data.fill(0);
      endTurn();
      expect(handle.text()).toBe('keep');
    });

    it('hands gathered bytes over at once past the high-water mark', () => {
      const { handle, buffer, state } = setup();
      state.highWater = 10;
      buffer.write(small('12345'));
      expect(handle.handed).toEqual([]);
      buffer.write(small('678901'));
      expect(handle.text()).toBe('12345678901');
      expect(buffer.size).toBe(11);
    });

    it('hands a full gather buffer over and gathers again, in order', () => {
      const { handle, buffer, endTurn } = setup(new FakeStreamHandle().acceptDirect());
      const piece = SMALL_WRITE - 1;
      for (let fill = 1; fill <= 5; fill += 1) buffer.write(large(fill, piece));
      // Four pieces fill the 64 KiB gather buffer: they went when the fifth did not fit.
      expect(handle.offered).toHaveLength(1);
      expect(handle.offered[0]!.byteLength).toBe(4 * piece);
      expect(buffer.size).toBe(piece);
      endTurn();
      expect(handle.offered).toHaveLength(2);
      expect(concat(handle.written)).toEqual(
        Buffer.concat([1, 2, 3, 4, 5].map((fill) => Buffer.alloc(piece, fill))),
      );
      expect(buffer.size).toBe(0);
    });

    it('keeps small writes made while a write is in flight until it is done, then sends them', () => {
      const { handle, buffer, state, endTurn } = setup();
      buffer.write(small('first'));
      endTurn();
      buffer.write(small(' second'));
      endTurn();
      expect(handle.handed).toHaveLength(1);
      expect(buffer.size).toBe(12);
      const shrankBefore = state.shrank;
      handle.completeWrite();
      expect(handle.text()).toBe('first second');
      expect(buffer.size).toBe(7);
      expect(state.shrank).toBe(shrankBefore + 1);
    });
  });

  describe('flushNow', () => {
    it('hands what was gathered over now and says so; shrank follows at the end of the turn', () => {
      const { handle, buffer, state, endTurn } = setup(new FakeStreamHandle().acceptDirect());
      buffer.write(small('now'));
      expect(buffer.flushNow()).toBe(true);
      expect(handle.text()).toBe('now');
      expect(buffer.size).toBe(0);
      expect(state.shrank).toBe(0);
      endTurn();
      expect(state.shrank).toBe(1);
    });

    it('returns false when nothing was gathered', () => {
      const { buffer, state, endTurn } = setup(new FakeStreamHandle().acceptDirect());
      expect(buffer.flushNow()).toBe(false);
      endTurn();
      expect(state.shrank).toBe(0);
    });

    it('returns false while a write is in flight: the gathered bytes wait behind it', () => {
      const { handle, buffer, endTurn } = setup();
      buffer.write(small('first'));
      endTurn();
      buffer.write(small('later'));
      expect(buffer.flushNow()).toBe(false);
      expect(handle.handed).toHaveLength(1);
      handle.completeWrite();
      expect(handle.text()).toBe('firstlater');
    });

    it('returns false when the handle takes the bytes but only into flight', () => {
      const { handle, buffer } = setup();
      buffer.write(small('pending'));
      expect(buffer.flushNow()).toBe(false);
      expect(handle.text()).toBe('pending');
      expect(buffer.size).toBe(7);
    });
  });

  describe('large writes', () => {
    it('offers a large write to tryWrite as it is, uncopied, when nothing is in flight', () => {
      const { handle, buffer } = setup(new FakeStreamHandle().acceptDirect());
      const data = large(1);
      buffer.write(data);
      expect(handle.offered).toEqual([data]);
      expect(handle.offered[0]).toBe(data);
      expect(handle.handed).toEqual([]);
      expect(buffer.size).toBe(0);
    });

    it('hands a large write to write() at once without tryWrite', () => {
      const { handle, buffer } = setup();
      const data = large(2);
      buffer.write(data);
      expect(handle.handed).toHaveLength(1);
      expect(buffer.size).toBe(SMALL_WRITE);
    });

    it('copies only the part tryWrite refused, and hands it to write()', () => {
      const { handle, buffer, state, endTurn } = setup(new FakeStreamHandle().acceptDirect(100));
      const data = large(7);
      buffer.write(data);
      expect(buffer.size).toBe(SMALL_WRITE - 100);
      expect(handle.handed).toHaveLength(1);
      expect(handle.handed[0]!.byteLength).toBe(SMALL_WRITE - 100);
      data.fill(0);
      handle.completeWrite();
      expect(concat(handle.written)).toEqual(Buffer.alloc(SMALL_WRITE, 7));
      expect(buffer.size).toBe(0);
      endTurn();
      expect(state.shrank).toBe(2); // 100 bytes went during write(), the rest when done
    });

    it('stops offering tryWrite once the OS refused part of a write, until write() takes one at once', () => {
      const handle = new FakeStreamHandle().acceptDirect(100);
      const { buffer } = setup(handle);
      buffer.write(large(1));
      handle.completeWrite();
      buffer.write(large(2));
      expect(handle.offered).toHaveLength(1);
      handle.acceptAtOnce = true;
      handle.completeWrite();
      buffer.write(large(3)); // taken at once by write(): the OS keeps up again
      expect(handle.offered).toHaveLength(1);
      buffer.write(large(4));
      expect(handle.offered).toHaveLength(2);
    });

    it('queues large writes made while one is in flight, as copies, and sends them in one batch', () => {
      const { handle, buffer, state } = setup();
      buffer.write(large(1));
      const second = large(2);
      const third = large(3);
      buffer.write(second);
      buffer.write(third);
      second.fill(0);
      third.fill(0);
      expect(handle.handed).toHaveLength(1);
      expect(buffer.size).toBe(3 * SMALL_WRITE);
      handle.completeWrite();
      expect(handle.handed).toHaveLength(3);
      expect(buffer.size).toBe(2 * SMALL_WRITE);
      expect(state.shrank).toBe(1);
      handle.completeWrite();
      expect(buffer.size).toBe(0);
      expect(concat(handle.written)).toEqual(
        Buffer.concat([1, 2, 3].map((fill) => Buffer.alloc(SMALL_WRITE, fill))),
      );
    });

    it('sends the bytes gathered before a large write first, in order', () => {
      const { handle, buffer } = setup(new FakeStreamHandle().acceptDirect());
      buffer.write(small('head:'));
      buffer.write(large(120));
      expect(handle.offered).toHaveLength(2);
      expect(handle.text()).toBe('head:' + 'x'.repeat(SMALL_WRITE));
    });

    it('queues the bytes gathered before a large write made while one is in flight, in order', () => {
      const { handle, buffer } = setup();
      buffer.write(large(97)); // 'a', in flight
      buffer.write(small('-b-'));
      buffer.write(large(99)); // 'c'
      handle.completeWrite();
      handle.completeWrite();
      expect(handle.text()).toBe('a'.repeat(SMALL_WRITE) + '-b-' + 'c'.repeat(SMALL_WRITE));
    });

    it('tells the transport at the end of the turn, never from write(), when bytes went out', () => {
      const { buffer, state, deferred, endTurn } = setup(new FakeStreamHandle().acceptDirect());
      buffer.write(small('gathered'));
      buffer.write(large(1)); // takes the gathered bytes along, all out at once
      expect(buffer.size).toBe(0);
      expect(state.shrank).toBe(0);
      expect(deferred.length).toBeGreaterThan(0);
      endTurn();
      expect(state.shrank).toBe(1);
    });

    it('does not tell the transport when nothing went out', () => {
      const { buffer, state, endTurn } = setup();
      buffer.write(large(1));
      endTurn();
      expect(state.shrank).toBe(0);
    });
  });

  describe('size', () => {
    it('counts bytes in flight, queued and gathered', () => {
      const { handle, buffer, endTurn } = setup();
      buffer.write(large(1)); // in flight
      buffer.write(large(2)); // queued
      buffer.write(small('abc')); // gathered
      expect(buffer.size).toBe(2 * SMALL_WRITE + 3);
      endTurn(); // nothing leaves while a write is in flight
      expect(buffer.size).toBe(2 * SMALL_WRITE + 3);
      handle.completeWrite(); // the queue goes out; the gathered bytes wait behind it
      expect(buffer.size).toBe(SMALL_WRITE + 3);
      handle.completeWrite();
      expect(buffer.size).toBe(3);
      handle.completeWrite();
      expect(buffer.size).toBe(0);
    });
  });

  describe('clear', () => {
    it('drops everything, and ignores the completion still owed', () => {
      const { handle, buffer, state, endTurn } = setup();
      buffer.write(large(1));
      buffer.write(large(2));
      buffer.write(small('abc'));
      buffer.clear();
      expect(buffer.size).toBe(0);
      handle.completeWrite();
      endTurn();
      expect(handle.handed).toHaveLength(1);
      expect(state.shrank).toBe(0);
    });

    it('leaves the buffer usable', () => {
      const handle = new FakeStreamHandle();
      const { buffer, endTurn } = setup(handle);
      buffer.write(small('lost'));
      buffer.clear();
      handle.acceptAtOnce = true;
      buffer.write(small('kept'));
      endTurn();
      expect(handle.text()).toBe('kept');
      expect(buffer.size).toBe(0);
    });
  });
});
