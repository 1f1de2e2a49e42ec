/**
 * createDatagramEndpoint over real UDP sockets on loopback: asyncio's sendto rules, families,
 * ICMP errors, broadcast, SO_REUSEADDR, the Rx surfaces, bad inputs, and interop with a Python
 * asyncio DatagramProtocol peer.
 */
import * as dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { firstValueFrom, timeout } from 'rxjs';
import type { InetAddress } from '../../src/core/address';
import type { DatagramTransport } from '../../src/core/datagramTransports';
import { TransportClosedError, TransportError, UnsupportedError } from '../../src/core/errors';
import { setExceptionHandler, type ExceptionContext } from '../../src/core/exceptionHandler';
import { ConnectionRefusedError, TransportOSError } from '../../src/core/osErrors';
import type { DatagramProtocol } from '../../src/core/protocols';
import {
  createDatagramEndpoint,
  type DatagramEndpointOptions,
} from '../../src/node/createDatagramEndpoint';
import {
  python3Available,
  runPythonUdpClient,
  startPythonUdpEcho,
} from '../fixtures/pythonUdpPeer';
import { rejectionOf, thrownBy, turns, waitFor } from '../helpers/net';

const HOST = '127.0.0.1';
const HOST6 = '::1';

const hasIPv6Loopback = Object.values(networkInterfaces()).some((list) =>
  list?.some((info) => info.family === 'IPv6' && info.address === HOST6),
);
if (!hasIPv6Loopback) {
  console.warn('IPv6 datagram specs skipped: this host has no ::1 loopback interface');
}
const withIPv6 = hasIPv6Loopback ? it : it.skip;

// ICMP errors on connected UDP sockets and 127.255.255.255 as loopback broadcast are Linux's.
const onLinux = process.platform === 'linux' ? it : it.skip;
if (process.platform !== 'linux') {
  console.warn('Linux-only datagram specs (ICMP errors, loopback broadcast) skipped');
}

const withPython = python3Available() ? describe : describe.skip;
if (!python3Available()) {
  console.warn('asyncio UDP interop specs skipped: `python3 --version` did not run successfully');
}

/** UDP handles the process holds open. */
function udpHandleCount(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'UDPWrap').length;
}

function sockname(endpoint: DatagramTransport): InetAddress {
  const addr = endpoint.getExtraInfo('sockname');
  if (!addr || 'path' in addr) throw new Error('endpoint has no Internet sockname');
  return addr;
}

/** What getaddrinfo reports for a name that does not resolve (EAI_AGAIN without DNS). */
const resolveFailure = expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/);

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => Buffer.from(data).toString();

/** A raw dgram socket playing a peer that rxtransport does not drive. */
interface RawPeer {
  readonly socket: dgram.Socket;
  readonly port: number;
  readonly received: { data: Buffer; from: dgram.RemoteInfo }[];
}

/** Tracks endpoints and raw sockets, closing everything after each test. */
class Tracker {
  private endpoints: DatagramTransport[] = [];
  private sockets: dgram.Socket[] = [];
  private cleanups: (() => Promise<void>)[] = [];

  endpoint<T extends DatagramTransport>(endpoint: T): T {
    this.endpoints.push(endpoint);
    return endpoint;
  }

  async open(options: DatagramEndpointOptions): Promise<DatagramTransport> {
    return this.endpoint(await createDatagramEndpoint(options));
  }

  async peer(type: 'udp4' | 'udp6' = 'udp4', host = HOST): Promise<RawPeer> {
    const socket = dgram.createSocket(type);
    this.sockets.push(socket);
    const received: RawPeer['received'] = [];
    socket.on('message', (data, from) => received.push({ data, from }));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return { socket, port: socket.address().port, received };
  }

  defer(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async dispose(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    for (const endpoint of this.endpoints.splice(0)) {
      endpoint.abort();
      await firstValueFrom(endpoint.closed$);
    }
    await Promise.all(
      this.sockets.splice(0).map(
        (socket) =>
          new Promise<void>((resolve) => {
            try {
              socket.close(resolve);
            } catch {
              resolve(); // already closed
            }
          }),
      ),
    );
    await turns(3);
  }
}

/** A port on `host` where no UDP socket is bound (it was bound, then released). */
async function unusedUdpPort(type: 'udp4' | 'udp6' = 'udp4', host = HOST): Promise<number> {
  const socket = dgram.createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Datagram `index` of the ping-pong exchanges: its index, then a pattern of varying length. */
function numbered(index: number): Uint8Array {
  const data = Buffer.alloc(4 + (index % 512));
  data.writeUInt32BE(index, 0);
  for (let k = 4; k < data.length; k++) data[k] = (index + k) & 0xff;
  return data;
}

describe('createDatagramEndpoint', () => {
  const tracker = new Tracker();
  const reports: ExceptionContext[] = [];

  beforeEach(() => {
    reports.length = 0;
    setExceptionHandler((context) => reports.push(context));
  });

  afterEach(async () => {
    await tracker.dispose();
    setExceptionHandler(null);
    expect(reports).toEqual([]);
  });

  /**
   * An Rx echo endpoint on `host`, and a client connected to it that keeps `window` numbered
   * datagrams in flight, sending the next one for each reply, until `count` came back.
   */
  async function pingPong(host: string, count: number, window = 8): Promise<void> {
    const server = await tracker.open({ localAddr: { host, port: 0 } });
    server.datagrams$.subscribe(({ data, addr }) => {
      server.sendto(data, addr);
    });
    const client = await tracker.open({ remoteAddr: sockname(server) });
    const seen = new Uint8Array(count);
    const errors: Error[] = [];
    let next = 0;
    let received = 0;
    let mismatched = 0;
    const sendNext = (): void => {
      if (next < count) client.sendto(numbered(next++));
    };
    client.errors$.subscribe((error) => errors.push(error));
    client.datagrams$.subscribe(({ data }) => {
      const index = Buffer.from(data).readUInt32BE(0);
      if (Buffer.compare(data, numbered(index)) !== 0) mismatched += 1;
      seen[index] = (seen[index] ?? 0) + 1;
      received += 1;
      sendNext();
    });
    for (let k = 0; k < window; k++) sendNext();
    await waitFor(
      () => received === count || errors.length > 0,
      `${count} replies (${received} so far)`,
      25_000,
    );
    expect(errors).toEqual([]);
    expect({ received, mismatched }).toEqual({ received: count, mismatched: 0 });
    expect(seen.every((times) => times === 1)).toBe(true);
  }

  describe('exchanging datagrams', () => {
    it('exchanges 10,000 datagrams on 127.0.0.1, paced by replies, all accounted for', async () => {
      await pingPong(HOST, 10_000);
    });

    withIPv6('exchanges 10,000 datagrams on ::1, paced by replies, all accounted for', async () => {
      await pingPong(HOST6, 10_000);
    });
  });

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

  describe('ICMP errors [D5]', () => {
    onLinux(
      'reports port-unreachable on a connected endpoint as ECONNREFUSED on errors$, and stays open',
      async () => {
        const port = await unusedUdpPort();
        const endpoint = await tracker.open({ remoteAddr: { host: HOST, port } });
        const errors: Error[] = [];
        endpoint.errors$.subscribe((error) => errors.push(error));
        endpoint.sendto(utf8('anyone there?'));
        await waitFor(() => errors.length > 0, 'an error on errors$');
        expect(errors[0]).toBeInstanceOf(ConnectionRefusedError);
        expect(errors[0]).toBeInstanceOf(TransportOSError);
        expect(errors[0]).toMatchObject({ code: 'ECONNREFUSED' });
        expect(endpoint.isClosing()).toBe(false);
        // Still open: a peer that binds the port now gets what is sent.
        const peer = dgram.createSocket('udp4');
        tracker.defer(() => new Promise<void>((resolve) => peer.close(resolve)));
        const got = new Promise<Buffer>((resolve) => peer.once('message', resolve));
        await new Promise<void>((resolve) => peer.bind(port, HOST, resolve));
        endpoint.sendto(utf8('now?'));
        expect((await got).toString()).toBe('now?');
      },
    );

    onLinux('hands port-unreachable to a protocol’s errorReceived', async () => {
      const port = await unusedUdpPort();
      const events: string[] = [];
      const errors: Error[] = [];
      const endpoint = await tracker.open({
        remoteAddr: { host: HOST, port },
        protocol: () => ({
          connectionMade: () => events.push('made'),
          errorReceived: (exc) => {
            events.push('error');
            errors.push(exc);
          },
          connectionLost: () => events.push('lost'),
        }),
      });
      endpoint.sendto(utf8('x'));
      await waitFor(() => errors.length > 0, 'errorReceived');
      expect(errors[0]).toMatchObject({ name: 'ConnectionRefusedError', code: 'ECONNREFUSED' });
      endpoint.close();
      await firstValueFrom(endpoint.closed$);
      expect(events.slice(0, 2)).toEqual(['made', 'error']);
      expect(events.at(-1)).toBe('lost');
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

  describe('datagrams$ and errors$', () => {
    it('holds datagrams that arrive before the first subscriber, in order', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      const errors: Error[] = [];
      endpoint.errors$.subscribe((error) => errors.push(error));
      for (let i = 0; i < 20; i++) peer.socket.send(numbered(i), sockname(endpoint).port, HOST);
      await waitFor(() => peer.socket.getSendQueueCount() === 0, 'the sends');
      const seen: number[] = [];
      await turns(5);
      endpoint.datagrams$.subscribe(({ data }) => seen.push(Buffer.from(data).readUInt32BE(0)));
      await waitFor(() => seen.length === 20, `20 datagrams (${seen.length} so far)`);
      expect(seen).toEqual([...Array(20).keys()]);
      expect(errors).toEqual([]);
    });

    it('bounds what it holds: past the bound, drops are counted on errors$ as ERR_DATAGRAMS_DROPPED', async () => {
      const peer = await tracker.peer();
      const endpoint = await tracker.open({ localAddr: { host: HOST } });
      const port = sockname(endpoint).port;
      let dropped = 0;
      const otherErrors: Error[] = [];
      endpoint.errors$.subscribe((error) => {
        if (error instanceof TransportError && error.code === 'ERR_DATAGRAMS_DROPPED') {
          dropped += Number(/^(\d+)/.exec(error.message)?.[1]);
        } else otherErrors.push(error);
      });
      // No subscriber to datagrams$: its hold fills (64 KiB), then the socket's receive queue.
      let sent = 0;
      while (dropped === 0 && sent < 5_000) {
        for (let k = 0; k < 20; k++)
          peer.socket.send(Buffer.alloc(1000, sent & 0xff), port, HOST, () => undefined);
        sent += 20;
        await waitFor(() => peer.socket.getSendQueueCount() === 0, 'the sends');
        await turns(2);
      }
      expect(dropped).toBeGreaterThan(0);
      await turns(3);
      const seen: number[] = [];
      endpoint.datagrams$.subscribe(({ data }) => seen.push(data[0]!));
      // Everything held arrives at once, and nothing else was lost.
      expect(seen.length).toBeGreaterThan(64);
      expect(seen.length + dropped).toBe(sent);
      expect(otherErrors).toEqual([]);
      // Reading goes on after that.
      peer.socket.send(Buffer.alloc(10, 7), port, HOST);
      await waitFor(
        () => seen.at(-1) === 7 && seen.length === sent - dropped + 1,
        'a live datagram',
      );
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

  describe('protocols', () => {
    it('drives a DatagramProtocol as asyncio does: made, datagrams, lost [D1]', async () => {
      const events: string[] = [];
      let transport: DatagramTransport | null = null;
      const server = await tracker.open({
        localAddr: { host: HOST },
        protocol: () => ({
          connectionMade: (t) => {
            events.push('made');
            transport = t;
          },
          datagramReceived: (data, addr) => {
            events.push(`datagram ${text(data)}`);
            transport?.sendto(utf8(text(data).toUpperCase()), addr as InetAddress);
          },
          connectionLost: (exc) => events.push(`lost ${String(exc)}`),
        }),
      });
      expect(transport).toBe(server);
      const client = await tracker.open({ remoteAddr: sockname(server) });
      const reply = firstValueFrom(client.datagrams$);
      client.sendto(utf8('hello'));
      expect(text((await reply).data)).toBe('HELLO');
      server.close();
      await firstValueFrom(server.closed$);
      expect(events).toEqual(['made', 'datagram hello', 'lost null']);
    });
  });

  withPython('interop with a python3 asyncio DatagramProtocol peer', () => {
    it('exchanges datagrams with an asyncio echo server, the empty and the largest included', async () => {
      const echo = await startPythonUdpEcho(HOST);
      tracker.defer(() => echo.stop());
      const client = await tracker.open({ remoteAddr: { host: HOST, port: echo.port } });
      const exchange = async (data: Uint8Array): Promise<Uint8Array> => {
        const reply = firstValueFrom(client.datagrams$.pipe(timeout({ first: 10_000 })));
        client.sendto(data);
        return (await reply).data;
      };
      for (let i = 0; i < 1000; i++) {
        const reply = await exchange(numbered(i));
        if (Buffer.compare(reply, numbered(i)) !== 0) throw new Error(`datagram ${i} changed`);
      }
      // asyncio < 3.13 cannot send b'': the fixture answers an empty datagram with 'EMPTY'.
      expect(text(await exchange(new Uint8Array(0)))).toBe('EMPTY');
      const largest = Buffer.alloc(65_507, 0xa5);
      expect(Buffer.compare(await exchange(largest), largest)).toBe(0);
    });

    it('serves an asyncio client from a DatagramProtocol echo', async () => {
      const server = await tracker.open({
        localAddr: { host: HOST },
        protocol: () => {
          let transport: DatagramTransport | null = null;
          return {
            connectionMade: (t) => (transport = t),
            datagramReceived: (data, addr) => transport?.sendto(data, addr as InetAddress),
          };
        },
      });
      const result = await runPythonUdpClient(HOST, sockname(server).port, 1000);
      expect(result).toEqual({ sent: 1000, received: 1000, mismatched: 0, errors: [] });
    });
  });
});
