/**
 * DatagramEndpoint's sendto over a scriptable handle: the copy of the data it sends, so callers
 * may reuse their buffers, through the reused send slab, queued or not, small and large.
 */
import { FakeDatagramHandle, PEER, open } from '../helpers/FakeDatagramHandle';
import { bytes } from '../helpers/FakeStreamHandle';
import { useExceptionReports } from '../helpers/exceptions';

describe('DatagramEndpoint', () => {
  useExceptionReports();

  describe('sendto', () => {
    it('sends a copy of the data to the address given', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      const data = bytes('abc');
      endpoint.sendto(data, PEER);
      data[0] = 0x7a;
      expect(handle.sentText()).toEqual(['abc']);
      expect(handle.sent[0]?.addr).toEqual({ host: PEER.host, port: PEER.port });
    });

    it('keeps a queued datagram intact while the caller reuses its buffer and later datagrams leave', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      const data = new Uint8Array(3);
      const send = (text: string, leaveAtOnce: boolean): void => {
        handle.leaveAtOnce = leaveAtOnce;
        data.set(bytes(text));
        endpoint.sendto(data, PEER);
      };
      send('one', true);
      send('two', false);
      send('thr', true);
      send('fou', true);
      send('fiv', false);
      send('six', true);
      data.fill(0x7a);
      expect(handle.sentText()).toEqual(['one', 'two', 'thr', 'fou', 'fiv', 'six']);
      handle.completeAll();
      expect(handle.sentText()).toEqual(['one', 'two', 'thr', 'fou', 'fiv', 'six']);
    });

    it('sends many datagrams of one turn intact, queued or not, small and large', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      const data = new Uint8Array(5000);
      const expected: string[] = [];
      // 64 KiB of small queued datagrams fills a slab several times over.
      for (let i = 0; i < 4000; i++) {
        handle.leaveAtOnce = i % 3 === 0;
        const size = i % 500 === 0 ? 5000 : 60 + (i % 7);
        const content = `${i}:`.padEnd(size, String.fromCharCode(97 + (i % 26)));
        data.set(bytes(content));
        endpoint.sendto(data.subarray(0, size), PEER);
        expected.push(content);
      }
      data.fill(0);
      expect(handle.sentText()).toEqual(expected);
      handle.completeAll();
      expect(endpoint.getWriteBufferSize()).toBe(0);
    });
  });
});
