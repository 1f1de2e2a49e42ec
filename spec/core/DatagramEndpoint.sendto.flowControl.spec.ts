/**
 * DatagramEndpoint's sending side over a scriptable handle: the write buffer (what it counts),
 * its limits, and flow control (pauseWriting, resumeWriting, writable$ and drain()).
 */
import { FakeDatagramHandle, PEER, open } from '../helpers/FakeDatagramHandle';
import { bytes, turn } from '../helpers/FakeStreamHandle';
import { thrownBy } from '../helpers/outcomes';
import { recorder } from '../helpers/recordingDatagramProtocol';
import { useExceptionReports } from '../helpers/exceptions';

describe('DatagramEndpoint', () => {
  const reported = useExceptionReports();

  describe('write buffer and flow control [D4, W11–W14]', () => {
    it('does not count a datagram that left at once', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      endpoint.sendto(bytes('abc'), PEER);
      expect(endpoint.getWriteBufferSize()).toBe(0);
      handle.completeAll();
      expect(endpoint.getWriteBufferSize()).toBe(0);
    });

    it('counts queued datagrams until the OS took them', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const endpoint = await open(handle);
      endpoint.sendto(bytes('abc'), PEER);
      endpoint.sendto(bytes('de'), PEER);
      expect(endpoint.getWriteBufferSize()).toBe(5);
      handle.complete();
      expect(endpoint.getWriteBufferSize()).toBe(2);
      handle.complete();
      expect(endpoint.getWriteBufferSize()).toBe(0);
    });

    it('has asyncio’s default limits and rules', async () => {
      const endpoint = await open(new FakeDatagramHandle());
      expect(endpoint.getWriteBufferLimits()).toEqual([16 * 1024, 64 * 1024]);
      endpoint.setWriteBufferLimits(undefined, 100);
      expect(endpoint.getWriteBufferLimits()).toEqual([100, 400]);
      expect(
        thrownBy(() => {
          endpoint.setWriteBufferLimits(1, 2);
        }),
      ).toHaveProperty('code', 'ERR_OUT_OF_RANGE');
    });

    it('pauses above the high mark and resumes at the low one, with writable$ and drain()', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.setWriteBufferLimits(10, 4);
      const writable: boolean[] = [];
      endpoint.writable$.subscribe((value) => writable.push(value));
      endpoint.sendto(bytes('123456'), PEER);
      endpoint.sendto(bytes('789'), PEER);
      expect(rec.events).toEqual(['made']);
      endpoint.sendto(bytes('ab'), PEER); // 11 > 10
      endpoint.sendto(bytes('c'), PEER);
      expect(rec.events).toEqual(['made', 'pause']);
      let drained = false;
      void endpoint.drain().then(() => (drained = true));
      handle.complete(); // 6 left
      await turn();
      expect(rec.events).toEqual(['made', 'pause']);
      expect(drained).toBe(false);
      handle.complete(); // 3 left <= 4
      expect(rec.events).toEqual(['made', 'pause', 'resume']);
      await turn();
      expect(drained).toBe(true);
      expect(writable).toEqual([true, false, true]);
    });

    it('reports an exception from pauseWriting and goes on [W14]', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const rec = recorder({
        pauseWriting: () => {
          throw new Error('pause failed');
        },
      });
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.setWriteBufferLimits(0);
      endpoint.sendto(bytes('x'), PEER);
      expect(reported.take().map((r) => r.message)).toEqual(['protocol.pauseWriting() failed']);
      expect(endpoint.getWriteBufferSize()).toBe(1);
    });
  });
});
