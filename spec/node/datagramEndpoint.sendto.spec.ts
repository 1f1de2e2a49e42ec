/**
 * sendto on endpoints from createDatagramEndpoint over real UDP sockets on loopback: asyncio's
 * sendto rules, the largest datagrams, the closed state, and broadcast (allowBroadcast).
 */
import { firstValueFrom } from 'rxjs';
import { TransportClosedError } from '../../src/core/errors';
import { utf8 } from '../helpers/bytes';
import { thrownBy } from '../helpers/outcomes';
import { HOST } from '../helpers/sockets';
import { waitFor } from '../helpers/waits';
import {
  HOST6,
  Tracker,
  numbered,
  onLinux,
  resolveFailure,
  sockname,
  text,
  withIPv6,
} from '../helpers/udp';
import { useExceptionReports } from '../helpers/exceptions';

describe('createDatagramEndpoint', () => {
  const tracker = new Tracker();

  afterEach(async () => {
    await tracker.dispose();
  });
  // Declared after the disposal, so that its check runs after it: what closing reports counts.
  useExceptionReports();

  describe('sendto', () => {
    it('with remoteAddr, sends to it without an address or with that same address [D2]', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      endpoint.sendto(utf8('one'));
      endpoint.sendto(utf8('two'), { host: HOST, port: peer.port });
      await waitFor(() => peer.received.length === 2, 'two datagrams');
      expect(peer.received.map((r) => r.data.toString())).toEqual(['one', 'two']);
      expect(peer.received[0]?.from.port).toBe(sockname(endpoint).port);
    });

    it('with remoteAddr, refuses another address: TypeError ERR_INVALID_ARG_VALUE [D2]', async () => {
      const peer = await tracker.peer();
      const other = await tracker.peer();
      const endpoint = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      const error = thrownBy(() => {
        endpoint.sendto(utf8('x'), { host: HOST, port: other.port });
      });
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_VALUE');
      expect(endpoint.isClosing()).toBe(false);
    });

    it('without remoteAddr, requires an address: TypeError ERR_INVALID_ARG_TYPE', async () => {
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      const error = thrownBy(() => {
        endpoint.sendto(utf8('x'));
      });
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
      expect(endpoint.isClosing()).toBe(false);
    });

    it('refuses a destination of the other family: TypeError ERR_INVALID_ARG_VALUE', async () => {
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      const error = thrownBy(() => {
        endpoint.sendto(utf8('x'), { host: HOST6, port: 9 });
      });
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_VALUE');
    });

    it('refuses a string with TypeError ERR_INVALID_ARG_TYPE', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      const error = thrownBy(() => {
        endpoint.sendto('text' as never);
      });
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
    });

    it('refuses a port out of range with RangeError ERR_OUT_OF_RANGE', async () => {
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      for (const port of [0, 65_536]) {
        const error = thrownBy(() => {
          endpoint.sendto(utf8('x'), { host: HOST, port });
        });
        expect(error).toBeInstanceOf(RangeError);
        expect(error).toHaveProperty('code', 'ERR_OUT_OF_RANGE');
      }
    });

    it('delivers every datagram of one turn intact while the caller reuses one buffer', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      const data = new Uint8Array(64);
      // Few enough for the peer's receive buffer: it reads only once this turn is over.
      const count = 150;
      for (let i = 0; i < count; i++) {
        data.set(numbered(i).subarray(0, 64));
        endpoint.sendto(data.subarray(0, 4 + (i % 60)));
      }
      data.fill(0);
      await waitFor(() => peer.received.length === count, `${count} datagrams`);
      peer.received.forEach(({ data: got }, i) => {
        expect(got).toEqual(Buffer.from(numbered(i).subarray(0, 4 + (i % 60))));
      });
    });

    it('sends an empty datagram as a zero-length datagram (asyncio 3.13+) [D3]', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      endpoint.sendto(new Uint8Array(0), { host: HOST, port: peer.port });
      endpoint.sendto(utf8('after'), { host: HOST, port: peer.port });
      await waitFor(() => peer.received.length === 2, 'two datagrams');
      expect(peer.received.map((r) => r.data.length)).toEqual([0, 5]);
    });

    it('receives an empty datagram as an empty Uint8Array [D1]', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      const received = firstValueFrom(endpoint.datagrams$);
      peer.socket.send(Buffer.alloc(0), sockname(endpoint).port, HOST);
      const { data, addr } = await received;
      expect(data).toBeInstanceOf(Uint8Array);
      expect(data.byteLength).toBe(0);
      expect(addr).toEqual({ host: HOST, port: peer.port, family: 'IPv4' });
    });

    it('sends the largest IPv4 datagram, and refuses a larger one with RangeError ERR_OUT_OF_RANGE', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      const error = thrownBy(() => {
        endpoint.sendto(new Uint8Array(65_508));
      });
      expect(error).toBeInstanceOf(RangeError);
      expect(error).toHaveProperty('code', 'ERR_OUT_OF_RANGE');
      const largest = Buffer.alloc(65_507, 0x5a);
      endpoint.sendto(largest);
      await waitFor(() => peer.received.length === 1, 'the datagram');
      expect(Buffer.compare(peer.received[0]!.data, largest)).toBe(0);
      expect(endpoint.isClosing()).toBe(false);
    });

    withIPv6(
      'sends the largest IPv6 datagram, and refuses a larger one with RangeError ERR_OUT_OF_RANGE',
      async () => {
        const peer = await tracker.peer('udp6', HOST6);
        const endpoint = await tracker.open({ remoteAddr: { host: HOST6, port: peer.port } });
        expect(
          thrownBy(() => {
            endpoint.sendto(new Uint8Array(65_528));
          }),
        ).toHaveProperty('code', 'ERR_OUT_OF_RANGE');
        endpoint.sendto(new Uint8Array(65_527));
        await waitFor(() => peer.received.length === 1, 'the datagram');
        expect(peer.received[0]?.data.length).toBe(65_527);
      },
    );

    it('throws TransportClosedError after close() and after abort()', async () => {
      const peer = await tracker.peer();
      const closed = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      const aborted = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      closed.close();
      aborted.abort();
      for (const endpoint of [closed, aborted]) {
        expect(() => {
          endpoint.sendto(utf8('x'));
        }).toThrow(TransportClosedError);
      }
      expect(await firstValueFrom(closed.closed$)).toBeNull();
      expect(() => {
        closed.sendto(utf8('x'));
      }).toThrow(TransportClosedError);
    });

    it('counts nothing in the write buffer for datagrams the OS took at once [W11]', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      for (let i = 0; i < 10; i++) endpoint.sendto(utf8(`d${i}`));
      expect(endpoint.getWriteBufferSize()).toBe(0);
      await waitFor(() => peer.received.length === 10, 'ten datagrams');
    });

    it('reports a datagram to a name that does not resolve on errors$ (asyncio: gaierror) [D5]', async () => {
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      const error = firstValueFrom(endpoint.errors$);
      endpoint.sendto(utf8('x'), { host: 'nonexistent.invalid', port: 9 });
      // ENOTFOUND, or EAI_AGAIN where no DNS server answers at all.
      expect(await error).toMatchObject({ name: 'TransportOSError', code: resolveFailure });
      expect(endpoint.isClosing()).toBe(false);
    });
  });

  describe('allowBroadcast [D8, D9]', () => {
    onLinux('without it, a broadcast is refused by the OS with EACCES on errors$', async () => {
      const receiver = await tracker.peer('udp4', '0.0.0.0');
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      const error = firstValueFrom(endpoint.errors$);
      endpoint.sendto(utf8('to all'), { host: '127.255.255.255', port: receiver.port });
      expect(await error).toMatchObject({ name: 'TransportOSError', code: 'EACCES' });
      expect(endpoint.isClosing()).toBe(false);
    });

    onLinux('with it, SO_BROADCAST is set and a broadcast goes out', async () => {
      const receiver = await tracker.peer('udp4', '0.0.0.0');
      const endpoint = await tracker.open({ localAddr: { host: HOST }, allowBroadcast: true });
      const errors: Error[] = [];
      endpoint.errors$.subscribe((error) => errors.push(error));
      endpoint.sendto(utf8('to all'), { host: '127.255.255.255', port: receiver.port });
      await waitFor(() => receiver.received.length === 1 || errors.length > 0, 'the broadcast');
      expect(errors).toEqual([]);
      expect(receiver.received[0]?.data.toString()).toBe('to all');
    });

    it('with remoteAddr, leaves the socket unconnected and sends to remoteAddr [D8]', async () => {
      const peer = await tracker.peer();
      const third = await tracker.peer();
      const endpoint = await tracker.open({
        remoteAddr: { host: HOST, port: peer.port },
        allowBroadcast: true,
      });
      expect(endpoint.getExtraInfo('peername', 'default')).toBeUndefined();
      endpoint.sendto(utf8('to the remote'));
      await waitFor(() => peer.received.length === 1, 'the datagram');
      expect(
        thrownBy(() => {
          endpoint.sendto(utf8('x'), { host: HOST, port: third.port });
        }),
      ).toHaveProperty('code', 'ERR_INVALID_ARG_VALUE');
      // Unconnected: datagrams from anyone arrive.
      const got = firstValueFrom(endpoint.datagrams$);
      third.socket.send(utf8('from a third party'), sockname(endpoint).port, HOST);
      const { data, addr } = await got;
      expect([text(data), addr.port]).toEqual(['from a third party', third.port]);
    });
  });
});
