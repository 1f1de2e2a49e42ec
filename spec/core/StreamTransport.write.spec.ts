import { StreamTransport } from '../../src/core/StreamTransport';
import { TransportClosedError, WriteAfterEofError } from '../../src/core/errors';
import { FakeStreamHandle, bytes, endOfTurn, turn } from '../helpers/FakeStreamHandle';
import { recordingProtocol } from '../helpers/recordingProtocol';
import { useExceptionReports } from '../helpers/exceptions';

async function open(highWater?: number, lowWater?: number) {
  const handle = new FakeStreamHandle();
  const rec = recordingProtocol();
  const transport = new StreamTransport(handle, { protocol: rec.protocol });
  await turn();
  if (highWater !== undefined) transport.setWriteBufferLimits(highWater, lowWater);
  return { handle, rec, transport };
}

describe('StreamTransport', () => {
  const reported = useExceptionReports();

  describe('write', () => {
    it.each([
      ['a string', 'text'],
      ['a number', 42],
      ['null', null],
      ['an array', [1, 2]],
    ])('refuses %s with ERR_INVALID_ARG_TYPE', async (_label, value) => {
      const { transport } = await open();
      expect(() => {
        transport.write(value as never);
      }).toThrow(TypeError);
      expect(() => {
        transport.write(value as never);
      }).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    });

    it('accepts any ArrayBufferView or ArrayBuffer', async () => {
      const { transport, handle } = await open();
      handle.acceptAtOnce = true;
      transport.write(Buffer.from('a'));
      transport.write(new Uint8Array([98]));
      transport.write(new DataView(new Uint8Array([99]).buffer));
      transport.write(new Uint8Array([100]).buffer);
      transport.write(new Uint16Array([0x6665]));
      await endOfTurn();
      expect(handle.text()).toBe('abcdef');
    });

    it('treats an empty write as a no-op', async () => {
      const { transport, handle } = await open();
      transport.write(new Uint8Array(0));
      expect(handle.written).toEqual([]);
    });

    it('copies the data, so later changes to the caller buffer do not leak', async () => {
      const { transport, handle } = await open();
      const gathered = bytes('first');
      transport.write(gathered);
      gathered.fill(120);
      await endOfTurn();
      const queued = bytes('abc');
      transport.write(queued);
      queued.fill(120);
      handle.completeWrite();
      expect(handle.text()).toBe('firstabc');
    });

    it('counts bytes not yet accepted by the OS as buffered', async () => {
      const { transport, handle } = await open();
      transport.write(bytes('12345'));
      expect(transport.getWriteBufferSize()).toBe(5);
      await endOfTurn();
      transport.write(bytes('678'));
      expect(transport.getWriteBufferSize()).toBe(8);
      handle.completeWrite();
      expect(transport.getWriteBufferSize()).toBe(3);
      handle.completeWrite();
      expect(transport.getWriteBufferSize()).toBe(0);
    });

    it('buffers nothing once the OS took the bytes at the end of the turn', async () => {
      const { transport, handle } = await open();
      handle.acceptAtOnce = true;
      transport.write(bytes('12345'));
      await endOfTurn();
      expect(transport.getWriteBufferSize()).toBe(0);
    });

    it('throws WriteAfterEofError after writeEof, even for an empty write', async () => {
      const { transport } = await open();
      transport.writeEof();
      expect(() => {
        transport.write(bytes('x'));
      }).toThrow(WriteAfterEofError);
      expect(() => {
        transport.write(new Uint8Array(0));
      }).toThrow(expect.objectContaining({ code: 'ERR_WRITE_AFTER_EOF' }));
    });

    it('throws TransportClosedError after close and after abort', async () => {
      const a = await open();
      a.transport.close();
      expect(() => {
        a.transport.write(bytes('x'));
      }).toThrow(TransportClosedError);
      const b = await open();
      b.transport.abort();
      expect(() => {
        b.transport.write(bytes('x'));
      }).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_CLOSED' }));
    });
  });

  describe('writelines', () => {
    it('writes each buffer in order', async () => {
      const { transport, handle } = await open();
      handle.acceptAtOnce = true;
      transport.writelines([bytes('a'), bytes('b'), bytes('c')]);
      await endOfTurn();
      expect(handle.text()).toBe('abc');
    });

    it('checks every item before writing any', async () => {
      const { transport, handle } = await open();
      expect(() => {
        transport.writelines([bytes('a'), 'b' as never]);
      }).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
      expect(handle.written).toEqual([]);
    });

    it('throws after writeEof', async () => {
      const { transport } = await open();
      transport.writeEof();
      expect(() => {
        transport.writelines([]);
      }).toThrow(WriteAfterEofError);
    });
  });

  describe('flow control', () => {
    it('does not pause with exactly high bytes buffered', async () => {
      const { transport, rec } = await open(10, 5);
      transport.write(new Uint8Array(10));
      expect(rec.events).toEqual(['made']);
    });

    it('pauses one byte over high, once', async () => {
      const { transport, rec } = await open(10, 5);
      transport.write(new Uint8Array(10));
      transport.write(new Uint8Array(1));
      transport.write(new Uint8Array(1));
      expect(rec.events).toEqual(['made', 'pause']);
    });

    it('resumes when the buffer falls exactly to low', async () => {
      const { transport, rec, handle } = await open(10, 5);
      transport.write(new Uint8Array(6));
      await endOfTurn();
      transport.write(new Uint8Array(5));
      expect(rec.events).toEqual(['made', 'pause']);
      handle.completeWrite();
      expect(transport.getWriteBufferSize()).toBe(5);
      expect(rec.events).toEqual(['made', 'pause', 'resume']);
    });

    it('stays paused while the buffer is above low', async () => {
      const { transport, rec, handle } = await open(10, 5);
      transport.write(new Uint8Array(5));
      await endOfTurn();
      transport.write(new Uint8Array(6));
      handle.completeWrite();
      expect(transport.getWriteBufferSize()).toBe(6);
      expect(rec.events).toEqual(['made', 'pause']);
      handle.completeWrite();
      expect(rec.events).toEqual(['made', 'pause', 'resume']);
    });

    it('reflects pauses on writable$ and resolves drain at low', async () => {
      const { transport, handle } = await open(10, 5);
      const seen: boolean[] = [];
      transport.writable$.subscribe((w) => seen.push(w));
      transport.write(new Uint8Array(11));
      const drained = transport.drain();
      handle.completeWrite();
      await drained;
      expect(seen).toEqual([true, false, true]);
    });

    it('resolves flushed only once the buffer is empty, past the low mark', async () => {
      const { transport, handle } = await open(10, 5);
      transport.write(new Uint8Array(3));
      await endOfTurn();
      transport.write(new Uint8Array(2));
      let flushed = false;
      const done = transport.flushed().then(() => (flushed = true));
      handle.completeWrite();
      await Promise.resolve();
      expect(transport.getWriteBufferSize()).toBe(2);
      expect(flushed).toBe(false);
      handle.completeWrite();
      await done;
      expect(flushed).toBe(true);
    });

    it('waits for what resumeWriting writes before a close made there completes', async () => {
      const handle = new FakeStreamHandle();
      let transport: StreamTransport | null = null;
      const rec = recordingProtocol({
        resumeWriting: () => {
          // A writer that sends its last chunk on resume, then closes.
          transport?.write(new Uint8Array(30).fill(122));
          transport?.close();
        },
      });
      transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      transport.setWriteBufferLimits(10, 5);
      transport.write(new Uint8Array(20).fill(97));
      handle.completeWrite(); // the 20 bytes: empty, resume, 30 more in flight, close
      expect(transport.getWriteBufferSize()).toBe(30);
      await turn();
      expect(rec.lost).toEqual([]);
      expect(handle.closes).toBe(0);
      handle.completeWrite();
      await turn();
      expect(rec.lost).toEqual([null]);
      expect(handle.text()).toBe('a'.repeat(20) + 'z'.repeat(30));
      // The 30 bytes paused the protocol again; its second resumeWriting writes to a closing
      // transport, which refuses: reported, as any throwing resumeWriting.
      expect(reported.take().map((r) => [r.message, (r.exception as Error).name])).toEqual([
        ['protocol.resumeWriting() failed', 'TransportClosedError'],
      ]);
    });

    it('rejects a pending drain when the transport is aborted', async () => {
      const { transport } = await open(10, 5);
      transport.write(new Uint8Array(11));
      const drained = expect(transport.drain()).rejects.toMatchObject({
        code: 'ERR_TRANSPORT_CLOSED',
      });
      transport.abort();
      await drained;
    });

    it('reports a throwing pauseWriting; write does not throw', async () => {
      const handle = new FakeStreamHandle();
      const transport = new StreamTransport(handle, {
        protocol: {
          pauseWriting: () => {
            throw new Error('pause failed');
          },
        },
      });
      await turn();
      transport.setWriteBufferLimits(1, 0);
      expect(() => {
        transport.write(bytes('xy'));
      }).not.toThrow();
      expect(reported.take().map((r) => r.message)).toEqual(['protocol.pauseWriting() failed']);
    });
  });

  describe('getWriteBufferLimits / setWriteBufferLimits', () => {
    it('returns [low, high] with asyncio defaults', async () => {
      const { transport } = await open();
      expect(transport.getWriteBufferLimits()).toEqual([16384, 65536]);
      transport.setWriteBufferLimits(undefined, 100);
      expect(transport.getWriteBufferLimits()).toEqual([100, 400]);
      transport.setWriteBufferLimits(1000);
      expect(transport.getWriteBufferLimits()).toEqual([250, 1000]);
    });

    it('refuses high below low with ERR_OUT_OF_RANGE and keeps the old limits', async () => {
      const { transport } = await open();
      expect(() => {
        transport.setWriteBufferLimits(1, 2);
      }).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
      expect(transport.getWriteBufferLimits()).toEqual([16384, 65536]);
    });

    it('pauses at once when new limits are below the buffered size', async () => {
      const { transport, rec } = await open();
      transport.write(new Uint8Array(100));
      transport.setWriteBufferLimits(50);
      expect(rec.events).toEqual(['made', 'pause']);
    });
  });

  describe('writeEof', () => {
    it('shuts down at once when nothing is buffered, and reading goes on', async () => {
      const { transport, handle, rec } = await open();
      transport.writeEof();
      expect(handle.shutdowns).toBe(1);
      expect(transport.isClosing()).toBe(false);
      handle.receive('still reading');
      expect(rec.text()).toBe('still reading');
    });

    it('shuts down only after the buffer drains', async () => {
      const { transport, handle } = await open();
      transport.write(bytes('abc'));
      transport.writeEof();
      expect(handle.shutdowns).toBe(0);
      handle.completeWrite();
      expect(handle.shutdowns).toBe(1);
    });

    it('is a no-op when repeated or closing', async () => {
      const { transport, handle } = await open();
      transport.writeEof();
      transport.writeEof();
      expect(handle.shutdowns).toBe(1);
      const other = await open();
      other.transport.close();
      other.transport.writeEof();
      expect(other.handle.shutdowns).toBe(0);
    });

    it('is refused where the handle cannot half-close', async () => {
      const handle = new FakeStreamHandle();
      handle.canShutdown = false;
      const transport = new StreamTransport(handle);
      await turn();
      expect(transport.canWriteEof()).toBe(false);
      expect(() => {
        transport.writeEof();
      }).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
    });
  });
});
