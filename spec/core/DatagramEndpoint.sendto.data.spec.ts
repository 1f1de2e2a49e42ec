/**
 * DatagramEndpoint's sendto over a scriptable handle: the data it takes (ArrayBufferViews, an
 * ArrayBuffer, empty datagrams; no strings) and the UDP size limit of each family.
 */
import { FakeDatagramHandle, PEER, PEER6, open } from '../helpers/FakeDatagramHandle';
import { bytes } from '../helpers/FakeStreamHandle';
import { thrownBy } from '../helpers/outcomes';
import { useExceptionReports } from '../helpers/exceptions';

describe('DatagramEndpoint', () => {
  useExceptionReports();

  describe('sendto', () => {
    it('accepts any ArrayBufferView or an ArrayBuffer', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      endpoint.sendto(new Uint16Array([0x6968]), PEER);
      endpoint.sendto(new DataView(bytes('xyz').buffer, 1, 2), PEER);
      endpoint.sendto(bytes('ab').buffer as ArrayBuffer, PEER);
      expect(handle.sentText()).toEqual(['hi', 'yz', 'ab']);
    });

    it('refuses a string with TypeError ERR_INVALID_ARG_TYPE [W1, D2]', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      const error = thrownBy(() => {
        endpoint.sendto('text' as never, PEER);
      });
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
      expect(handle.sent).toEqual([]);
    });

    it('sends an empty datagram, as asyncio 3.13+ does [D3]', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      endpoint.sendto(new Uint8Array(0), PEER);
      expect(handle.sent).toHaveLength(1);
      expect(handle.sent[0]?.data.byteLength).toBe(0);
    });

    it('refuses a datagram over the UDP maximum with RangeError ERR_OUT_OF_RANGE', async () => {
      const v4 = new FakeDatagramHandle('IPv4');
      const v6 = new FakeDatagramHandle('IPv6');
      const endpoint4 = await open(v4);
      const endpoint6 = await open(v6);
      endpoint4.sendto(new Uint8Array(65_507), PEER);
      endpoint6.sendto(new Uint8Array(65_527), PEER6);
      for (const [endpoint, size, addr] of [
        [endpoint4, 65_508, PEER],
        [endpoint6, 65_528, PEER6],
      ] as const) {
        const error = thrownBy(() => {
          endpoint.sendto(new Uint8Array(size), addr);
        });
        expect(error).toBeInstanceOf(RangeError);
        expect(error).toHaveProperty('code', 'ERR_OUT_OF_RANGE');
        expect(endpoint.isClosing()).toBe(false);
      }
      expect([v4.sent.length, v6.sent.length]).toEqual([1, 1]);
    });
  });
});
