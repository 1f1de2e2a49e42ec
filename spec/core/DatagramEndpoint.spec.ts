/**
 * The datagram transport core (DatagramEndpoint) over a scriptable handle: construction, close,
 * abort, closed$, getExtraInfo and setProtocol, without any socket.
 */
import { DatagramEndpoint } from '../../src/core/DatagramEndpoint';
import { TransportClosedError } from '../../src/core/errors';
import { osError } from '../../src/core/osErrors';
import { FakeDatagramHandle, PEER, open, refused } from '../helpers/FakeDatagramHandle';
import { bytes, turn } from '../helpers/FakeStreamHandle';
import { thrownBy } from '../helpers/outcomes';
import { recorder } from '../helpers/recordingDatagramProtocol';
import { useExceptionReports } from '../helpers/exceptions';

describe('DatagramEndpoint', () => {
  const reported = useExceptionReports();

  describe('construction', () => {
    it('delivers connectionMade on a later turn, then starts reading [S1]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = new DatagramEndpoint(handle, { protocol: rec.protocol });
      expect(rec.events).toEqual([]);
      expect(handle.reading).toBe(false);
      await endpoint.ready;
      expect(rec.events).toEqual(['made']);
      expect(handle.reading).toBe(true);
    });

    it('reports an exception from connectionMade and goes on [E4]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder({
        connectionMade: () => {
          throw new Error('made failed');
        },
      });
      const endpoint = await open(handle, { protocol: rec.protocol });
      expect(reported.take().map((r) => r.message)).toEqual([
        'Exception in protocol.connectionMade()',
      ]);
      expect(endpoint.isClosing()).toBe(false);
      handle.receive('x');
      expect(rec.events).toEqual(['datagram']);
    });
  });

  describe('close [D7, B1–B3]', () => {
    it('stops reading at once and reports connectionLost(null) once, later', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.close();
      endpoint.close();
      expect(endpoint.isClosing()).toBe(true);
      expect(handle.reading).toBe(false);
      handle.receive('late');
      handle.fail(refused());
      expect(rec.events).toEqual(['made']);
      await turn();
      expect(rec.events).toEqual(['made', 'lost']);
      expect(rec.lost).toEqual([null]);
      expect(handle.closes).toBeGreaterThanOrEqual(1);
    });

    it('lets queued datagrams go, then reports connectionLost(null)', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.sendto(bytes('a'), PEER);
      endpoint.sendto(bytes('b'), PEER);
      endpoint.close();
      await turn();
      expect(rec.events).toEqual(['made']);
      expect(handle.closes).toBe(0);
      handle.complete();
      handle.complete(osError('EACCES', 'send EACCES'));
      expect(rec.events).toEqual(['made', 'error']);
      await turn();
      expect(rec.events).toEqual(['made', 'error', 'lost']);
      expect(rec.lost).toEqual([null]);
      expect(handle.closes).toBeGreaterThanOrEqual(1);
    });

    it('reports an exception from connectionLost', async () => {
      const rec = recorder({
        connectionLost: () => {
          throw new Error('lost failed');
        },
      });
      const endpoint = await open(new FakeDatagramHandle(), { protocol: rec.protocol });
      endpoint.close();
      await turn();
      expect(reported.take().map((r) => r.message)).toEqual([
        'Exception in protocol.connectionLost()',
      ]);
    });
  });

  describe('abort [D7]', () => {
    it('drops queued datagrams, closes the handle, and reports connectionLost(null) later', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.sendto(bytes('a'), PEER);
      expect(endpoint.getWriteBufferSize()).toBe(1);
      endpoint.abort();
      expect(endpoint.getWriteBufferSize()).toBe(0);
      expect(endpoint.isClosing()).toBe(true);
      expect(handle.closes).toBe(1);
      handle.complete(osError('EACCES', 'send EACCES')); // a late report is ignored
      expect(rec.events).toEqual(['made']);
      await turn();
      expect(rec.events).toEqual(['made', 'lost']);
      expect(rec.lost).toEqual([null]);
    });

    it('rejects a pending drain()', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const endpoint = await open(handle);
      endpoint.setWriteBufferLimits(0);
      endpoint.sendto(bytes('a'), PEER);
      const drained = endpoint.drain();
      endpoint.abort();
      await expect(drained).rejects.toBeInstanceOf(TransportClosedError);
    });
  });

  describe('closed$', () => {
    it('emits the loss once, replays it, then completes', async () => {
      const endpoint = await open(new FakeDatagramHandle());
      endpoint.close();
      await turn();
      const seen: (Error | null)[] = [];
      let completed = false;
      endpoint.closed$.subscribe({ next: (e) => seen.push(e), complete: () => (completed = true) });
      expect(seen).toEqual([null]);
      expect(completed).toBe(true);
    });
  });

  describe('getExtraInfo / setProtocol', () => {
    it('returns what the handle captured, or the default for unknown names [B4]', async () => {
      const sockname = { host: '127.0.0.1', port: 1, family: 'IPv4' };
      const endpoint = await open(
        new FakeDatagramHandle('IPv4', { sockname, peername: undefined }),
      );
      expect(endpoint.getExtraInfo('sockname')).toBe(sockname);
      expect(endpoint.getExtraInfo('peername', 'default')).toBeUndefined();
      expect(endpoint.getExtraInfo('nope', 'default')).toBe('default');
    });

    it('refuses a protocol that is not an object', async () => {
      const endpoint = await open(new FakeDatagramHandle());
      expect(
        thrownBy(() => {
          endpoint.setProtocol(null as never);
        }),
      ).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
    });
  });
});
