/**
 * What endpoints from createDatagramEndpoint receive over real UDP sockets on loopback: paced
 * exchanges on both families, ICMP errors, the datagrams$ and errors$ surfaces, a
 * DatagramProtocol, and interop with a Python asyncio DatagramProtocol peer.
 */
import * as dgram from 'node:dgram';
import { firstValueFrom, timeout } from 'rxjs';
import type { InetAddress } from '../../src/core/address';
import type { DatagramTransport } from '../../src/core/datagramTransports';
import { TransportError } from '../../src/core/errors';
import { ConnectionRefusedError, TransportOSError } from '../../src/core/osErrors';
import {
  python3Available,
  runPythonUdpClient,
  startPythonUdpEcho,
} from '../fixtures/pythonUdpPeer';
import { utf8 } from '../helpers/bytes';
import { HOST } from '../helpers/sockets';
import { turns, waitFor } from '../helpers/waits';
import { HOST6, Tracker, numbered, onLinux, sockname, text, withIPv6 } from '../helpers/udp';
import { useExceptionReports } from '../helpers/exceptions';

const withPython = python3Available() ? describe : describe.skip;
if (!python3Available()) {
  console.warn('asyncio UDP interop specs skipped: `python3 --version` did not run successfully');
}

/** A port on `host` where no UDP socket is bound (it was bound, then released). */
async function unusedUdpPort(type: 'udp4' | 'udp6' = 'udp4', host = HOST): Promise<number> {
  const socket = dgram.createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

describe('createDatagramEndpoint', () => {
  const tracker = new Tracker();

  afterEach(async () => {
    await tracker.dispose();
  });
  // Declared after the disposal, so that its check runs after it: what closing reports counts.
  useExceptionReports();

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
