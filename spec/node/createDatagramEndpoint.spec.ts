/**
 * createDatagramEndpoint over real UDP sockets on loopback: setup (addresses, families, the
 * protocol factory), close and abort, SO_REUSEADDR, and bad inputs.
 */
import * as dgram from 'node:dgram';
import { firstValueFrom } from 'rxjs';
import type { DatagramTransport } from '../../src/core/datagramTransports';
import { UnsupportedError } from '../../src/core/errors';
import { TransportOSError } from '../../src/core/osErrors';
import type { DatagramProtocol } from '../../src/core/protocols';
import { createDatagramEndpoint } from '../../src/node/createDatagramEndpoint';
import { utf8 } from '../helpers/bytes';
import { rejectionOf, thrownBy } from '../helpers/outcomes';
import { HOST } from '../helpers/sockets';
import { turns, waitFor } from '../helpers/waits';
import {
  HOST6,
  Tracker,
  hasIPv6Loopback,
  numbered,
  resolveFailure,
  sockname,
} from '../helpers/udp';
import { useExceptionReports } from '../helpers/exceptions';

/** UDP handles the process holds open. */
function udpHandleCount(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'UDPWrap').length;
}

describe('createDatagramEndpoint', () => {
  const tracker = new Tracker();

  afterEach(async () => {
    await tracker.dispose();
  });
  // Declared after the disposal, so that its check runs after it: what closing reports counts.
  useExceptionReports();

  describe('setup', () => {
    it('resolves after connectionMade ran, with sockname, no peername and the socket [S1, B4]', async () => {
      const events: string[] = [];
      const endpoint = await tracker.open({
        localAddr: { host: HOST, port: 0 },
        protocol: () => ({ connectionMade: () => events.push('made') }),
      });
      expect(events).toEqual(['made']);
      expect(sockname(endpoint)).toEqual({ host: HOST, port: expect.any(Number), family: 'IPv4' });
      expect(endpoint.getExtraInfo('peername', 'default')).toBeUndefined();
      expect(endpoint.getExtraInfo('socket')).toBeInstanceOf(dgram.Socket);
      expect(endpoint.isClosing()).toBe(false);
      expect(endpoint.getWriteBufferSize()).toBe(0);
      expect(endpoint.getWriteBufferLimits()).toEqual([16 * 1024, 64 * 1024]);
    });

    it('connects to remoteAddr: peername is the peer, sockname the local end [D8]', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ remoteAddr: { host: HOST, port: peer.port } });
      expect(endpoint.getExtraInfo('peername')).toEqual({
        host: HOST,
        port: peer.port,
        family: 'IPv4',
      });
      expect(sockname(endpoint)).toEqual({ host: HOST, port: expect.any(Number), family: 'IPv4' });
    });

    it('resolves host names; the remote address is the resolved one, as asyncio’s', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({
        remoteAddr: { host: 'localhost', port: peer.port },
        family: 'IPv4',
      });
      expect(endpoint.getExtraInfo('peername')).toEqual({
        host: HOST,
        port: peer.port,
        family: 'IPv4',
      });
      endpoint.sendto(utf8('by default'));
      endpoint.sendto(utf8('by address'), { host: HOST, port: peer.port });
      const error = thrownBy(() => {
        endpoint.sendto(utf8('by name'), { host: 'localhost', port: peer.port });
      });
      expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_VALUE');
      await waitFor(() => peer.received.length === 2, 'two datagrams');
      expect(peer.received.map((r) => r.data.toString())).toEqual(['by default', 'by address']);
    });

    it('takes the family from the addresses when not given', async () => {
      const v4 = await tracker.open({ localAddr: { host: HOST } });
      expect(sockname(v4).family).toBe('IPv4');
      const wildcard = await tracker.open({ family: 'IPv4' });
      expect(sockname(wildcard)).toEqual({
        host: '0.0.0.0',
        port: expect.any(Number),
        family: 'IPv4',
      });
      if (hasIPv6Loopback) {
        const v6 = await tracker.open({ localAddr: { host: HOST6, port: 0 } });
        expect(sockname(v6)).toEqual({ host: HOST6, port: expect.any(Number), family: 'IPv6' });
      }
    });

    it('calls the protocol factory once, after the socket is set up', async () => {
      let calls = 0;
      const protocol: DatagramProtocol<DatagramTransport> = {};
      const endpoint = await tracker.open({
        localAddr: { host: HOST },
        protocol: () => {
          calls += 1;
          return protocol;
        },
      });
      expect(calls).toBe(1);
      expect(endpoint.getProtocol()).toBe(protocol);
    });
  });

  describe('close and abort', () => {
    it('close() lets every datagram sent go, then reports connectionLost(null) [D7]', async () => {
      const peer = await tracker.peer();
      const lost: (Error | null)[] = [];
      const handles = udpHandleCount();
      const endpoint = await tracker.open({
        remoteAddr: { host: HOST, port: peer.port },
        protocol: () => ({ connectionLost: (exc) => lost.push(exc) }),
      });
      for (let i = 0; i < 50; i++) endpoint.sendto(numbered(i));
      endpoint.close();
      expect(endpoint.isClosing()).toBe(true);
      expect(await firstValueFrom(endpoint.closed$)).toBeNull();
      expect(lost).toEqual([null]);
      await waitFor(() => peer.received.length === 50, 'fifty datagrams');
      await turns(2);
      expect(udpHandleCount()).toBe(handles);
    });

    it('abort() closes at once and reports connectionLost(null) [D7]', async () => {
      const handles = udpHandleCount();
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      const ends: string[] = [];
      endpoint.datagrams$.subscribe({ complete: () => ends.push('datagrams$') });
      endpoint.errors$.subscribe({ complete: () => ends.push('errors$') });
      endpoint.abort();
      expect(endpoint.isClosing()).toBe(true);
      expect(await firstValueFrom(endpoint.closed$)).toBeNull();
      expect(ends.sort()).toEqual(['datagrams$', 'errors$']);
      await turns(2);
      expect(udpHandleCount()).toBe(handles);
    });
  });

  describe('reuseAddress', () => {
    it('binds two endpoints to one address and port', async () => {
      const first = await tracker.open({ localAddr: { host: HOST }, reuseAddress: true });
      const { port } = sockname(first);
      const second = await tracker.open({ localAddr: { host: HOST, port }, reuseAddress: true });
      expect(sockname(second).port).toBe(port);
      const peer = await tracker.peer();
      const arrived: string[] = [];
      first.datagrams$.subscribe(() => arrived.push('first'));
      second.datagrams$.subscribe(() => arrived.push('second'));
      peer.socket.send(utf8('which one?'), port, HOST);
      await waitFor(() => arrived.length > 0, 'the datagram at one of them');
    });

    it('without it, a second bind fails with EADDRINUSE and leaves no socket open', async () => {
      const first = await tracker.open({ localAddr: { host: HOST } });
      const handles = udpHandleCount();
      const error = await rejectionOf(
        createDatagramEndpoint({ localAddr: { host: HOST, port: sockname(first).port } }),
      );
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind' });
      await turns(3);
      expect(udpHandleCount()).toBe(handles);
    });
  });

  describe('bad inputs: a typed error each, nothing left open', () => {
    const cases: [string, () => unknown, (error: unknown) => void][] = [
      [
        'family unix',
        () => ({ family: 'unix', localAddr: { host: HOST } }),
        (error) => {
          expect(error).toBeInstanceOf(UnsupportedError);
          expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED' });
          expect((error as Error).message).toMatch(/dgram.*no Unix datagram sockets/);
        },
      ],
      [
        'a Unix path as localAddr',
        () => ({ localAddr: { path: '/tmp/x.sock' } }),
        (error) => {
          expect(error).toBeInstanceOf(UnsupportedError);
          expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED' });
        },
      ],
      ['localAddr port out of range', () => ({ localAddr: { host: HOST, port: 70_000 } }), range],
      ['remoteAddr port 0', () => ({ remoteAddr: { host: HOST, port: 0 } }), range],
      ['remoteAddr port -1', () => ({ remoteAddr: { host: HOST, port: -1 } }), range],
      ['a string as port', () => ({ remoteAddr: { host: HOST, port: '53' } }), type],
      ['no options', () => undefined, type],
      ['a non-boolean reuseAddress', () => ({ family: 'IPv4', reuseAddress: 'yes' }), type],
      ['a non-function protocol', () => ({ family: 'IPv4', protocol: {} }), type],
      ['an unknown family', () => ({ family: 'IPv5' }), value],
      ['neither address nor family', () => ({}), value],
      ['an empty host', () => ({ localAddr: { host: '' } }), value],
      ['family IPv4 with ::1', () => ({ family: 'IPv4', localAddr: { host: HOST6 } }), value],
      [
        'family IPv6 with 127.0.0.1',
        () => ({ family: 'IPv6', remoteAddr: { host: HOST, port: 9 } }),
        value,
      ],
      [
        'local and remote of different families',
        () => ({ localAddr: { host: HOST }, remoteAddr: { host: HOST6, port: 9 } }),
        value,
      ],
      [
        'a host name that does not resolve',
        () => ({ remoteAddr: { host: 'nonexistent.invalid', port: 9 } }),
        (error) => {
          expect(error).toBeInstanceOf(TransportOSError);
          expect(error).toMatchObject({ code: resolveFailure });
        },
      ],
      [
        'a local address that is not the host’s',
        () => ({ localAddr: { host: '192.0.2.99' } }),
        (error) => {
          expect(error).toBeInstanceOf(TransportOSError);
          expect(error).toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'bind' });
        },
      ],
    ];

    function range(error: unknown): void {
      expect(error).toBeInstanceOf(RangeError);
      expect(error).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    }
    function type(error: unknown): void {
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    }
    function value(error: unknown): void {
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    }

    it.each(cases)('rejects %s', async (_name, options, check) => {
      const handles = udpHandleCount();
      const error = await rejectionOf(createDatagramEndpoint(options() as never));
      check(error);
      await turns(3);
      expect(udpHandleCount()).toBe(handles);
    });

    it('rejects with what a throwing protocol factory threw, leaving no socket open', async () => {
      const handles = udpHandleCount();
      const boom = new Error('factory failed');
      const error = await rejectionOf(
        createDatagramEndpoint({
          localAddr: { host: HOST },
          protocol: () => {
            throw boom;
          },
        }),
      );
      expect(error).toBe(boom);
      await turns(3);
      expect(udpHandleCount()).toBe(handles);
    });
  });
});
