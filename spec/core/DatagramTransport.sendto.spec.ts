/**
 * DatagramEndpoint's sending side over a scriptable handle: sendto's rules (data, addresses,
 * sizes, the closed state, send errors), the write buffer and flow control.
 */
import type { InetAddress } from '../../src/core/address';
import { TransportClosedError } from '../../src/core/errors';
import { setExceptionHandler, type ExceptionContext } from '../../src/core/exceptionHandler';
import { osError } from '../../src/core/osErrors';
import { FakeDatagramHandle, PEER, PEER6, open } from '../helpers/FakeDatagramHandle';
import { bytes, turn } from '../helpers/FakeStreamHandle';
import { thrownBy } from '../helpers/net';
import { recorder } from '../helpers/recordingDatagramProtocol';

describe('DatagramEndpoint', () => {
  let reported: ExceptionContext[];
  beforeEach(() => {
    reported = [];
    setExceptionHandler((context) => reported.push(context));
  });
  afterEach(() => {
    setExceptionHandler(null);
  });

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

    describe('with remoteAddr [D2]', () => {
      it('sends to the remote address when no address is given', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle, { remoteAddr: PEER });
        endpoint.sendto(bytes('x'));
        expect(handle.sent[0]?.addr).toEqual(PEER);
      });

      it('accepts the remote address itself (host and port compared)', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle, { remoteAddr: { ...PEER, family: 'IPv4' } });
        endpoint.sendto(bytes('x'), { host: PEER.host, port: PEER.port });
        expect(handle.sent).toHaveLength(1);
      });

      it('refuses another address with TypeError ERR_INVALID_ARG_VALUE (asyncio ValueError)', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle, { remoteAddr: PEER });
        for (const other of [
          { host: PEER.host, port: PEER.port + 1 },
          { host: '192.0.2.8', port: PEER.port },
        ]) {
          const error = thrownBy(() => {
            endpoint.sendto(bytes('x'), other);
          });
          expect(error).toBeInstanceOf(TypeError);
          expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_VALUE');
          expect((error as Error).message).toContain('192.0.2.7:5000');
        }
        expect(handle.sent).toEqual([]);
      });
    });

    describe('without remoteAddr', () => {
      it('requires an address: TypeError ERR_INVALID_ARG_TYPE', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle);
        const error = thrownBy(() => {
          endpoint.sendto(bytes('x'));
        });
        expect(error).toBeInstanceOf(TypeError);
        expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
        expect(endpoint.isClosing()).toBe(false);
      });

      it('refuses an address of the other family: TypeError ERR_INVALID_ARG_VALUE', async () => {
        const v4 = await open(new FakeDatagramHandle('IPv4'));
        const v6 = await open(new FakeDatagramHandle('IPv6'));
        for (const [endpoint, addr] of [
          [v4, PEER6],
          [v4, { host: 'example.test', port: 9, family: 'IPv6' }],
          [v6, PEER],
        ] as const) {
          const error = thrownBy(() => {
            endpoint.sendto(bytes('x'), addr);
          });
          expect(error).toBeInstanceOf(TypeError);
          expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_VALUE');
        }
      });

      it('leaves a host name to the platform to resolve', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle);
        endpoint.sendto(bytes('x'), { host: 'localhost', port: 9 });
        expect(handle.sent[0]?.addr).toEqual({ host: 'localhost', port: 9 });
      });

      it('refuses malformed addresses with the matching error', async () => {
        const endpoint = await open(new FakeDatagramHandle());
        const cases: [unknown, string][] = [
          ['192.0.2.7:5000', 'ERR_INVALID_ARG_TYPE'],
          [{ host: 7, port: 9 }, 'ERR_INVALID_ARG_TYPE'],
          [{ host: '192.0.2.7', port: '9' }, 'ERR_INVALID_ARG_TYPE'],
          [{ host: '', port: 9 }, 'ERR_INVALID_ARG_VALUE'],
          [{ path: '/tmp/sock' }, 'ERR_INVALID_ARG_VALUE'],
          [{ host: '192.0.2.7', port: 0 }, 'ERR_OUT_OF_RANGE'],
          [{ host: '192.0.2.7', port: 65536 }, 'ERR_OUT_OF_RANGE'],
          [{ host: '192.0.2.7', port: 1.5 }, 'ERR_OUT_OF_RANGE'],
        ];
        for (const [addr, code] of cases) {
          const error = thrownBy(() => {
            endpoint.sendto(bytes('x'), addr as InetAddress);
          });
          expect({ addr, code: (error as { code?: unknown }).code }).toEqual({ addr, code });
          expect(error).toBeInstanceOf(code === 'ERR_OUT_OF_RANGE' ? RangeError : TypeError);
        }
      });
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

    it('throws TransportClosedError after close(), abort() or a fatal error', async () => {
      const closed = await open(new FakeDatagramHandle());
      closed.close();
      const aborted = await open(new FakeDatagramHandle());
      aborted.abort();
      const failedHandle = new FakeDatagramHandle();
      const failed = await open(failedHandle);
      failedHandle.fail(new Error('fatal'));
      for (const endpoint of [closed, aborted, failed]) {
        expect(() => {
          endpoint.sendto(bytes('x'), PEER);
        }).toThrow(TransportClosedError);
      }
      await turn();
      expect(() => {
        closed.sendto(bytes('x'), PEER);
      }).toThrow(TransportClosedError);
    });

    it('checks the data type and the address before the closed state, as asyncio [D2]', async () => {
      const endpoint = await open(new FakeDatagramHandle());
      endpoint.close();
      expect(
        thrownBy(() => {
          endpoint.sendto('x' as never, PEER);
        }),
      ).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
      expect(
        thrownBy(() => {
          endpoint.sendto(bytes('x'));
        }),
      ).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
    });

    it('hands an OS error of a send to errorReceived and stays open [D5]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.sendto(bytes('x'), PEER);
      const error = osError('EACCES', 'send EACCES', { syscall: 'send' });
      handle.complete(error);
      expect(rec.errors).toEqual([error]);
      expect(endpoint.isClosing()).toBe(false);
      endpoint.sendto(bytes('y'), PEER);
      expect(handle.sentText()).toEqual(['x', 'y']);
    });

    it('takes the fatal-error path for a send error that is not the OS’s [E1]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.sendto(bytes('x'), PEER);
      const error = new Error('broken');
      handle.complete(error);
      expect(endpoint.isClosing()).toBe(true);
      expect(reported.map((r) => r.message)).toEqual(['Fatal write error on datagram transport']);
      await turn();
      expect(rec.lost).toEqual([error]);
    });
  });

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
      expect(reported.map((r) => r.message)).toEqual(['protocol.pauseWriting() failed']);
      expect(endpoint.getWriteBufferSize()).toBe(1);
    });
  });
});
