import { StreamTransport } from '../../src/core/StreamTransport';
import type { BufferedProtocol } from '../../src/core/protocols';
import type { SocketTransport } from '../../src/core/transports';
import { FakeStreamHandle, bytes, endOfTurn, turn } from '../helpers/FakeStreamHandle';
import { recordingProtocol } from '../helpers/recordingProtocol';
import { useExceptionReports } from '../helpers/exceptions';

describe('StreamTransport', () => {
  const reported = useExceptionReports();

  describe('pauseReading / resumeReading', () => {
    it('stops and restarts reading from the handle', async () => {
      const handle = new FakeStreamHandle();
      const transport = new StreamTransport(handle);
      await turn();
      expect(transport.isReading()).toBe(true);
      transport.pauseReading();
      expect(handle.reading).toBe(false);
      expect(transport.isReading()).toBe(false);
      transport.resumeReading();
      expect(handle.reading).toBe(true);
      expect(transport.isReading()).toBe(true);
    });

    it('is idempotent', async () => {
      const handle = new FakeStreamHandle();
      const transport = new StreamTransport(handle);
      await turn();
      transport.resumeReading();
      transport.pauseReading();
      transport.pauseReading();
      transport.resumeReading();
      transport.resumeReading();
      expect(handle.readStarts).toBe(2);
    });

    it('does nothing once closing', async () => {
      const handle = new FakeStreamHandle();
      const transport = new StreamTransport(handle);
      await turn();
      transport.close();
      transport.resumeReading();
      transport.pauseReading();
      expect(handle.reading).toBe(false);
      expect(transport.isReading()).toBe(false);
    });

    it('does not start reading before connectionMade when paused early', async () => {
      const handle = new FakeStreamHandle();
      const transport = new StreamTransport(handle);
      transport.pauseReading();
      await turn();
      expect(handle.reading).toBe(false);
    });
  });

  describe('eofReceived', () => {
    it('keeps the connection half-open when the protocol returns true', async () => {
      const handle = new FakeStreamHandle();
      handle.acceptAtOnce = true;
      const rec = recordingProtocol({ eofReceived: () => true });
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      handle.receiveEof();
      expect(handle.reading).toBe(false);
      await turn();
      expect(transport.isClosing()).toBe(false);
      transport.write(bytes('reply'));
      await endOfTurn();
      expect(handle.text()).toBe('reply');
      expect(rec.lost).toEqual([]);
    });

    it('closes when the protocol returns nothing', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol();
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      handle.receiveEof();
      expect(transport.isClosing()).toBe(true);
      await turn();
      expect(rec.events).toEqual(['made', 'eof', 'lost']);
    });

    it('treats an exception as fatal', async () => {
      const handle = new FakeStreamHandle();
      const failure = new Error('eof failed');
      const rec = recordingProtocol({
        eofReceived: () => {
          throw failure;
        },
      });
      new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      handle.receiveEof();
      await turn();
      expect(rec.lost).toEqual([failure]);
      expect(reported.take().map((r) => r.message)).toEqual([
        'Fatal error: protocol.eofReceived() call failed.',
      ]);
    });
  });

  describe('BufferedProtocol', () => {
    function bufferedProtocol(size: number) {
      const buffer = new Uint8Array(size);
      const got: number[] = [];
      const hints: number[] = [];
      let eof = false;
      const protocol: BufferedProtocol<SocketTransport> = {
        getBuffer: (hint) => {
          hints.push(hint);
          return buffer;
        },
        bufferUpdated: (n) => got.push(...buffer.subarray(0, n)),
        eofReceived: () => {
          eof = true;
        },
      };
      return { protocol, got, hints, isEof: () => eof };
    }

    it('fills small buffers repeatedly until the chunk is delivered', async () => {
      const handle = new FakeStreamHandle();
      const p = bufferedProtocol(3);
      new StreamTransport(handle, { protocol: p.protocol });
      await turn();
      handle.receive('abcdefghij');
      expect(Buffer.from(p.got).toString()).toBe('abcdefghij');
      expect(p.hints).toEqual([10, 7, 4, 1]);
      handle.receiveEof();
      expect(p.isEof()).toBe(true);
    });

    it('treats an empty buffer as fatal', async () => {
      const handle = new FakeStreamHandle();
      const lost: (Error | null)[] = [];
      new StreamTransport(handle, {
        protocol: {
          getBuffer: () => new Uint8Array(0),
          bufferUpdated: () => undefined,
          connectionLost: (exc) => lost.push(exc),
        },
      });
      await turn();
      handle.receive('x');
      await turn();
      expect(lost[0]).toMatchObject({ code: 'ERR_EMPTY_BUFFER' });
      expect(reported.take().map((r) => r.message)).toEqual([
        'Fatal error: protocol.getBuffer() call failed.',
      ]);
    });

    it('is selected by setProtocol', async () => {
      const handle = new FakeStreamHandle();
      const transport = new StreamTransport(handle, { protocol: recordingProtocol().protocol });
      await turn();
      const p = bufferedProtocol(4);
      transport.setProtocol(p.protocol);
      handle.receive('hello');
      expect(Buffer.from(p.got).toString()).toBe('hello');
    });
  });
});
