import { StreamTransport } from '../../src/core/StreamTransport';
import { FakeStreamHandle, bytes, endOfTurn, turn } from '../helpers/FakeStreamHandle';
import { recordingProtocol } from '../helpers/recordingProtocol';
import { useExceptionReports } from '../helpers/exceptions';

describe('StreamTransport', () => {
  const reported = useExceptionReports();

  describe('construction', () => {
    it('delivers connectionMade on a later turn, then starts reading', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol();
      new StreamTransport(handle, { protocol: rec.protocol });
      expect(rec.events).toEqual([]);
      expect(handle.reading).toBe(false);
      await turn();
      expect(rec.events).toEqual(['made']);
      expect(handle.reading).toBe(true);
    });

    it('reports an exception from connectionMade and goes on', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol({
        connectionMade: () => {
          throw new Error('made failed');
        },
      });
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      expect(reported.take().map((r) => r.message)).toEqual([
        'Exception in protocol.connectionMade()',
      ]);
      expect(transport.isClosing()).toBe(false);
      handle.receive('x');
      expect(rec.text()).toBe('x');
    });
  });

  describe('close', () => {
    it('reports connectionLost(null) once, later, even when called twice', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol();
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      transport.close();
      transport.close();
      expect(transport.isClosing()).toBe(true);
      expect(rec.events).toEqual(['made']);
      await turn();
      expect(rec.events).toEqual(['made', 'lost']);
      expect(rec.lost).toEqual([null]);
      expect(handle.closes).toBeGreaterThanOrEqual(1);
    });

    it('flushes the buffer and only then reports connectionLost(null)', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol();
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      transport.write(bytes('abc'));
      await endOfTurn(); // 'abc' is out
      transport.write(bytes('def'));
      transport.close();
      expect(handle.reading).toBe(false);
      await turn();
      expect(rec.events).toEqual(['made']);
      expect(handle.closes).toBe(0);
      handle.completeWrite(); // 'abc'
      handle.completeWrite(); // 'def', queued while 'abc' was out
      expect(handle.text()).toBe('abcdef');
      await turn();
      expect(rec.events).toEqual(['made', 'lost']);
      expect(rec.lost).toEqual([null]);
      expect(handle.closes).toBeGreaterThanOrEqual(1);
    });

    it('stops delivering data at once', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol();
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      transport.close();
      handle.receive('late');
      expect(rec.received).toEqual([]);
    });

    it('emits null on closed$ and replays it to late subscribers', async () => {
      const handle = new FakeStreamHandle();
      const transport = new StreamTransport(handle);
      await turn();
      transport.close();
      await turn();
      const seen: (Error | null)[] = [];
      let completed = false;
      transport.closed$.subscribe({
        next: (e) => seen.push(e),
        complete: () => (completed = true),
      });
      expect(seen).toEqual([null]);
      expect(completed).toBe(true);
    });
  });

  describe('abort', () => {
    it('drops the buffer and reports connectionLost(null) later', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol();
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      transport.write(bytes('abc'));
      await endOfTurn(); // 'abc' is out
      transport.write(bytes('def'));
      expect(transport.getWriteBufferSize()).toBe(6);
      transport.abort();
      expect(transport.getWriteBufferSize()).toBe(0);
      expect(transport.isClosing()).toBe(true);
      expect(handle.closes).toBe(1);
      expect(rec.events).toEqual(['made']);
      await turn();
      expect(rec.events).toEqual(['made', 'lost']);
      expect(handle.text()).toBe('abc');
    });

    it('is a no-op once the loss is scheduled', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol();
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      transport.close();
      transport.abort();
      await turn();
      expect(rec.lost).toEqual([null]);
    });
  });

  describe('fatal errors', () => {
    it('passes an OS error to connectionLost without reporting it', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol();
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      const { osError } = await import('../../src/core/osErrors');
      const reset = osError('ECONNRESET', 'read ECONNRESET');
      handle.fail(reset);
      expect(transport.isClosing()).toBe(true);
      await turn();
      expect(rec.lost).toEqual([reset]);
      expect(reported.take()).toEqual([]);
    });

    it('reports an exception from dataReceived and loses the connection with it', async () => {
      const handle = new FakeStreamHandle();
      const failure = new Error('bad data');
      const rec = recordingProtocol({
        dataReceived: () => {
          throw failure;
        },
      });
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      transport.write(bytes('pending'));
      handle.receive('x');
      expect(transport.getWriteBufferSize()).toBe(0);
      await turn();
      expect(rec.lost).toEqual([failure]);
      const reports = reported.take();
      expect(reports.map((r) => r.message)).toEqual([
        'Fatal error: protocol.dataReceived() call failed.',
      ]);
      expect(reports[0]?.exception).toBe(failure);
    });

    it('reports an exception from connectionLost and still completes closed$', async () => {
      const handle = new FakeStreamHandle();
      const rec = recordingProtocol({
        connectionLost: () => {
          throw new Error('lost failed');
        },
      });
      const transport = new StreamTransport(handle, { protocol: rec.protocol });
      await turn();
      transport.close();
      await turn();
      const seen: (Error | null)[] = [];
      transport.closed$.subscribe((e) => seen.push(e));
      expect(seen).toEqual([null]);
      expect(reported.take().map((r) => r.message)).toEqual([
        'Exception in protocol.connectionLost()',
      ]);
    });
  });

  describe('getExtraInfo', () => {
    it('returns captured values and the default for unknown names', async () => {
      const handle = new FakeStreamHandle({ peername: { host: '127.0.0.1', port: 1 } });
      const transport = new StreamTransport(handle);
      await turn();
      expect(transport.getExtraInfo('peername')).toEqual({ host: '127.0.0.1', port: 1 });
      expect(transport.getExtraInfo('nope')).toBeUndefined();
      expect(transport.getExtraInfo('nope', 42)).toBe(42);
      expect(transport.getExtraInfo('toString', 'd')).toBe('d');
    });
  });

  describe('setProtocol', () => {
    it('switches where data goes without calling connectionMade', async () => {
      const handle = new FakeStreamHandle();
      const first = recordingProtocol();
      const second = recordingProtocol();
      const transport = new StreamTransport(handle, { protocol: first.protocol });
      await turn();
      handle.receive('one');
      transport.setProtocol(second.protocol);
      expect(transport.getProtocol()).toBe(second.protocol);
      handle.receive('two');
      expect(first.text()).toBe('one');
      expect(second.text()).toBe('two');
      expect(second.events).toEqual(['data']);
    });

    it('refuses a non-object', async () => {
      const transport = new StreamTransport(new FakeStreamHandle());
      await turn();
      expect(() => {
        transport.setProtocol(null as never);
      }).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    });
  });
});
