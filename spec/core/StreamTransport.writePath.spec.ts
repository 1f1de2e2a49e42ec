/**
 * The write path over a handle with `tryWrite` (as Node sockets and pipes have): direct writes
 * while the OS keeps up, small writes of one turn gathered into one, copies only of what the OS
 * refused.
 */
import { StreamTransport } from '../../src/core/StreamTransport';
import { SMALL_WRITE } from '../../src/core/WriteBuffer';
import { FakeStreamHandle, bytes, endOfTurn, turn } from '../helpers/FakeStreamHandle';
import { recordingProtocol } from '../helpers/recordingProtocol';

async function open(direct = Infinity) {
  const handle = new FakeStreamHandle().acceptDirect(direct);
  const rec = recordingProtocol();
  const transport = new StreamTransport(handle, { protocol: rec.protocol });
  await turn();
  return { handle, rec, transport };
}

const large = (fill: number): Uint8Array => new Uint8Array(SMALL_WRITE).fill(fill);

describe('StreamTransport write path with tryWrite', () => {
  it('offers a large write to the OS as it is, uncopied, and buffers nothing', async () => {
    const { transport, handle } = await open();
    const data = large(1);
    transport.write(data);
    expect(handle.offered).toHaveLength(1);
    expect(handle.offered[0]).toBe(data);
    expect(transport.getWriteBufferSize()).toBe(0);
    expect(handle.writeOutstanding).toBe(false);
  });

  it('copies only the part the OS refused, so the caller may reuse its buffer at once', async () => {
    const { transport, handle } = await open(100);
    const data = large(7);
    transport.write(data);
    expect(transport.getWriteBufferSize()).toBe(SMALL_WRITE - 100);
    data.fill(0);
    handle.completeWrite();
    expect(Buffer.concat(handle.written)).toEqual(Buffer.alloc(SMALL_WRITE, 7));
    expect(transport.getWriteBufferSize()).toBe(0);
  });

  it('stops offering writes to tryWrite once the OS refused one, until a write goes at once', async () => {
    const { transport, handle } = await open(100);
    transport.write(large(1)); // 100 bytes taken, the rest in flight
    handle.completeWrite();
    transport.write(large(2)); // not offered: it goes through write() and waits
    expect(handle.offered).toHaveLength(1);
    expect(handle.writeOutstanding).toBe(true);
    handle.acceptAtOnce = true;
    handle.completeWrite();
    transport.write(large(3)); // write() takes it at once: the OS keeps up again
    expect(handle.offered).toHaveLength(1);
    transport.write(large(4));
    expect(handle.offered).toHaveLength(2);
    expect(Buffer.concat(handle.written)).toEqual(
      Buffer.concat([1, 2, 3, 4].map((fill) => Buffer.alloc(SMALL_WRITE, fill))),
    );
  });

  it('gathers the small writes of one turn and offers them once, at the end of the turn', async () => {
    const { transport, handle } = await open();
    for (let i = 0; i < 1000; i += 1) transport.write(bytes('0123456789abcdef'));
    expect(handle.offered).toHaveLength(0);
    expect(transport.getWriteBufferSize()).toBe(16_000);
    await endOfTurn();
    expect(handle.offered).toHaveLength(1);
    expect(handle.text()).toBe('0123456789abcdef'.repeat(1000));
    expect(transport.getWriteBufferSize()).toBe(0);
  });

  it('sends gathered bytes before a large write made in the same turn, in order', async () => {
    const { transport, handle } = await open();
    transport.write(bytes('head:'));
    transport.write(large(120)); // 'x'
    expect(handle.offered).toHaveLength(2);
    expect(handle.text()).toBe('head:' + 'x'.repeat(SMALL_WRITE));
  });

  it('sends gathered bytes at once when they pass the high water mark', async () => {
    const { transport, handle, rec } = await open();
    transport.setWriteBufferLimits(100);
    transport.write(new Uint8Array(60));
    expect(handle.offered).toHaveLength(0);
    transport.write(new Uint8Array(60)); // 120 > 100: out now, and no pause since it all went
    expect(handle.offered).toHaveLength(1);
    expect(transport.getWriteBufferSize()).toBe(0);
    expect(rec.events).toEqual(['made']);
  });

  it('sends gathered bytes at once on close() and writeEof()', async () => {
    const a = await open();
    a.transport.write(bytes('bye'));
    a.transport.close();
    expect(a.handle.text()).toBe('bye');
    await turn();
    expect(a.rec.lost).toEqual([null]);
    const b = await open();
    b.transport.write(bytes('eof'));
    b.transport.writeEof();
    expect(b.handle.text()).toBe('eof');
    expect(b.handle.shutdowns).toBe(1);
  });

  it('drops gathered bytes on abort(), and nothing leaves at the end of the turn', async () => {
    const { transport, handle } = await open();
    transport.write(bytes('never'));
    transport.abort();
    await endOfTurn();
    expect(handle.offered).toHaveLength(0);
    expect(handle.written).toEqual([]);
  });

  it('keeps gathering behind a write in flight and sends it after, in order', async () => {
    const { transport, handle } = await open(10);
    transport.write(large(97)); // 'a': 10 bytes taken, the rest in flight
    transport.write(bytes('bc'));
    transport.write(bytes('de'));
    await endOfTurn();
    expect(transport.getWriteBufferSize()).toBe(SMALL_WRITE - 10 + 4);
    handle.completeWrite();
    handle.completeWrite();
    expect(handle.text()).toBe('a'.repeat(SMALL_WRITE) + 'bcde');
    expect(transport.getWriteBufferSize()).toBe(0);
  });

  describe('gathered bytes sent by close() or writeEof()', () => {
    it('resolves flushed() when writeEof() sent them', async () => {
      const { transport } = await open();
      transport.write(bytes('tail'));
      const flushed = transport.flushed();
      transport.writeEof();
      await expect(flushed).resolves.toBeUndefined();
    });

    it('resolves flushed() when close() sent them', async () => {
      const { transport } = await open();
      transport.write(bytes('tail'));
      const flushed = transport.flushed();
      transport.close();
      await expect(flushed).resolves.toBeUndefined();
    });

    it('resumes a paused writer at the end of the turn, not inside the call', async () => {
      const { transport, rec } = await open();
      transport.write(new Uint8Array(300));
      transport.setWriteBufferLimits(200); // 300 gathered bytes: paused
      expect(rec.events).toEqual(['made', 'pause']);
      transport.writeEof(); // they go out at once
      expect(rec.events).toEqual(['made', 'pause']);
      await endOfTurn();
      expect(rec.events).toEqual(['made', 'pause', 'resume']);
    });

    it('resumes at the end of the turn when a write sent the gathered bytes out', async () => {
      const { transport, rec } = await open();
      transport.write(new Uint8Array(300));
      transport.setWriteBufferLimits(200, 100);
      transport.write(new Uint8Array(10)); // over the high mark: all 310 go out at once
      expect(transport.getWriteBufferSize()).toBe(0);
      expect(rec.events).toEqual(['made', 'pause']);
      await endOfTurn();
      expect(rec.events).toEqual(['made', 'pause', 'resume']);
    });
  });

  describe('copies in recycled blocks', () => {
    it('reuses the memory of a copy once its write is done, over a handle that releases writes', async () => {
      const { transport, handle } = await open(0);
      handle.releasesWrites = true;
      transport.write(large(1)); // refused: copied into a block, in flight
      handle.completeWrite();
      transport.write(large(2)); // the OS refused the last one: copied, through write()
      const [first, second] = handle.handed;
      expect(second?.buffer).toBe(first?.buffer);
      handle.completeWrite();
      expect(Buffer.concat(handle.written)).toEqual(
        Buffer.concat([Buffer.alloc(SMALL_WRITE, 1), Buffer.alloc(SMALL_WRITE, 2)]),
      );
    });

    it('never reuses memory still in flight, nor any over a handle that keeps what it is given', async () => {
      const a = await open(0);
      a.handle.releasesWrites = true;
      a.transport.write(large(1)); // in flight
      a.transport.write(large(2)); // queued behind it: another block
      expect(a.handle.handed).toHaveLength(1);
      a.handle.completeWrite(); // the queue goes out; the first block is free again
      expect(a.handle.handed[1]?.buffer).not.toBe(a.handle.handed[0]?.buffer);
      const b = await open(0);
      b.transport.write(large(1));
      b.handle.completeWrite();
      b.transport.write(large(2));
      expect(b.handle.handed[1]?.buffer).not.toBe(b.handle.handed[0]?.buffer);
      expect(Buffer.concat(b.handle.written)).toEqual(
        Buffer.concat([Buffer.alloc(SMALL_WRITE, 1), Buffer.alloc(SMALL_WRITE, 2)]),
      );
    });

    it('does not recycle what an abort left with the handle', async () => {
      const { transport, handle } = await open(0);
      handle.releasesWrites = true;
      transport.write(large(1));
      transport.abort();
      const other = await open(0);
      other.handle.releasesWrites = true;
      other.transport.write(large(2));
      expect(other.handle.handed[0]?.buffer).not.toBe(handle.handed[0]?.buffer);
    });
  });
});
