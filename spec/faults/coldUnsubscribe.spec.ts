/**
 * Faults: unsubscribing from every cold form (fromConnection, fromServer, fromSubprocess,
 * fromDatagramEndpoint) at every stage: before it has opened (after 0 to 8 turns of the loop,
 * so that each step of the opening is hit), mid-stream, and after EOF. Every stage ends with
 * no handle left (the leak check), no child left running, nothing reported, and what was written
 * before the unsubscribe delivered.
 */
import { execFileSync } from 'node:child_process';
import { firstValueFrom, type Observable, type Subscription } from 'rxjs';
import {
  ConnectionRefusedError,
  createConnection,
  createDatagramEndpoint,
  fromConnection,
  fromDatagramEndpoint,
  fromServer,
  fromSubprocess,
  type DatagramTransport,
  type InetAddress,
  type SocketTransport,
} from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { patternBytes, utf8 } from '../helpers/bytes';
import { countHandles, expectHandlesBack, useLeakCheck } from '../helpers/leaks';
import {
  HOST,
  MiB,
  closedValue,
  collect,
  record,
  rejectionOf,
  startRawServer,
  startServer,
  turns,
  unusedPort,
  useResources,
  waitFor,
  type Recording,
  type Resources,
} from '../helpers/net';
import { isAlive, useExceptionReports, valueOf, within } from '../helpers/process';
import { expectSameBytes, rawCollect, type RawCollector } from './faultHelpers';

/** Turns of the event loop to wait before unsubscribing, to hit each step of the opening. */
const EARLY_TURNS = [0, 1, 2, 3, 4, 6, 8];

/** What a subscription to a cold form saw. */
interface Observed<T> {
  readonly values: T[];
  ending: 'complete' | 'error' | null;
  error: unknown;
  readonly subscription: Subscription;
  /** The first value. */
  readonly first: Promise<T>;
}

/** Subscribes to `source$`, recording; the subscription is ended after the test. */
function observe<T>(resources: Resources, source$: Observable<T>): Observed<T> {
  let emit!: (value: T) => void;
  const first = new Promise<T>((resolve) => (emit = resolve));
  const observed: Observed<T> = {
    values: [],
    ending: null,
    error: undefined,
    first,
    subscription: source$.subscribe({
      next: (value) => {
        observed.values.push(value);
        emit(value);
      },
      error: (error: unknown) => {
        observed.ending = 'error';
        observed.error = error;
      },
      complete: () => {
        observed.ending = 'complete';
      },
    }),
  };
  resources.defer(() => {
    observed.subscription.unsubscribe();
  });
  return observed;
}

/** The Internet address a datagram endpoint is bound to. */
function sockname(endpoint: DatagramTransport): InetAddress {
  const addr = endpoint.getExtraInfo('sockname');
  if (!addr || 'path' in addr) throw new Error('endpoint has no Internet sockname');
  return addr;
}

/** Processes whose command line contains `marker` (pgrep -f). */
function processesWith(marker: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

let markerCounter = 0;
/** A `sleep` duration unique to this test, to find its process by command line. */
function uniqueSleep(): string {
  markerCounter += 1;
  return `3${process.pid % 1000}.${markerCounter}${Date.now() % 100000}`;
}

describe('unsubscribing from a cold form', () => {
  const resources = useResources();
  const leaks = useLeakCheck(resources);
  useExceptionReports();

  describe('fromConnection', () => {
    it.each(EARLY_TURNS)(
      'before it has connected (after %i turns) closes what it opens',
      async (n) => {
        const { server, port } = await startServer(resources);
        const serverSides: Recording[] = [];
        server.connections$.subscribe((connection) => {
          serverSides.push(record(connection.data$));
        });
        const observed = observe(resources, fromConnection({ host: HOST, port }));
        await turns(n);
        observed.subscription.unsubscribe();
        // Whatever was opened is closed: the server side (if it got that far) sees EOF.
        await expectHandlesBack(leaks.baseline(), { types: ['TCPConnectWrap'] });
        await turns(10);
        for (const serverSide of serverSides) {
          await waitFor(() => serverSide.ended === 'complete', 'EOF at the server');
        }
        expect(observed.ending).toBeNull();
        for (const transport of observed.values) {
          expect(transport.isClosing()).toBe(true);
          expect(await valueOf(transport.closed$, 'the transport to close')).toBeNull();
        }
      },
    );

    it('mid-stream flushes what was written, then closes', async () => {
      let collector!: RawCollector;
      const raw = await startRawServer(resources, (socket) => {
        collector = rawCollect(socket);
        socket.write(utf8('hello'));
      });
      const observed = observe(resources, fromConnection({ host: HOST, port: raw.port }));
      const transport = await within(observed.first, 'the connection');
      const data = record(transport.data$);
      await waitFor(() => data.bytes().toString() === 'hello', 'the greeting');
      const payload = patternBytes(4 * MiB);
      transport.write(payload);
      observed.subscription.unsubscribe();
      expect(transport.isClosing()).toBe(true);
      expect(await closedValue(transport)).toBeNull();
      expect(await within(collector.ended, 'EOF at the peer')).toBe('end');
      expectSameBytes(collector.bytes(), payload);
      expect(observed.ending).toBeNull();
    });

    it('after EOF closes the half-open connection', async () => {
      let collector!: RawCollector;
      const raw = await startRawServer(resources, (socket) => {
        collector = rawCollect(socket);
        socket.end(utf8('bye'));
      });
      const observed = observe(resources, fromConnection({ host: HOST, port: raw.port }));
      const transport = await within(observed.first, 'the connection');
      expect((await collect(transport.data$)).toString()).toBe('bye');
      expect(transport.isClosing()).toBe(false);
      transport.write(utf8('last words'));
      observed.subscription.unsubscribe();
      expect(await closedValue(transport)).toBeNull();
      expect(await within(collector.ended, 'EOF at the peer')).toBe('end');
      expect(collector.bytes().toString()).toBe('last words');
    });

    it('after the connection was lost is a no-op; the error was delivered first', async () => {
      const raw = await startRawServer(resources, (socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => socket.resetAndDestroy());
      });
      const observed = observe(resources, fromConnection({ host: HOST, port: raw.port }));
      const transport = await within(observed.first, 'the connection');
      transport.data$.subscribe({ error: () => undefined });
      transport.write(utf8('x'));
      await waitFor(() => observed.ending !== null, 'the loss');
      expect(observed.ending).toBe('error');
      expect(observed.error).toHaveProperty('code');
      observed.subscription.unsubscribe();
    });
  });

  describe('fromServer', () => {
    it.each(EARLY_TURNS)('before it listens (after %i turns) leaves the port free', async (n) => {
      const port = await unusedPort();
      const observed = observe(resources, fromServer({ host: HOST, port }));
      await turns(n);
      observed.subscription.unsubscribe();
      await expectHandlesBack(leaks.baseline(), { types: ['TCPServerWrap'] });
      const refused = await rejectionOf(createConnection({ host: HOST, port }));
      expect(refused).toBeInstanceOf(ConnectionRefusedError);
      expect(observed.values).toEqual([]);
      expect(observed.ending).toBeNull();
    });

    it('mid-stream closes the server and its clients after flushing', async () => {
      const port = await unusedPort();
      const observed = observe(resources, fromServer({ host: HOST, port }));
      let client: SocketTransport | null = null;
      for (let attempt = 0; client === null; attempt++) {
        try {
          client = resources.transport(await createConnection({ host: HOST, port }));
        } catch (error) {
          if (attempt > 100) throw error;
          await turns(2);
        }
      }
      const connection = await within(observed.first, 'the accepted connection');
      const echo = record(connection.data$);
      const received = record(client.data$);
      client.write(utf8('ping'));
      await waitFor(() => echo.bytes().toString() === 'ping', 'the ping');
      const payload = patternBytes(4 * MiB);
      connection.write(payload);
      observed.subscription.unsubscribe();
      expect(await closedValue(connection)).toBeNull();
      await waitFor(() => received.ended !== null, 'EOF at the client');
      expect(received.ended).toBe('complete');
      expectSameBytes(received.bytes(), payload);
    });

    it('after a client EOF closes the half-open connection and the server', async () => {
      const port = await unusedPort();
      const observed = observe(resources, fromServer({ host: HOST, port }));
      let client: SocketTransport | null = null;
      for (let attempt = 0; client === null; attempt++) {
        try {
          client = resources.transport(await createConnection({ host: HOST, port }));
        } catch (error) {
          if (attempt > 100) throw error;
          await turns(2);
        }
      }
      const connection = await within(observed.first, 'the accepted connection');
      const request = collect(connection.data$);
      const reply = collect(client.data$);
      client.write(utf8('request'));
      client.writeEof();
      expect((await request).toString()).toBe('request');
      connection.write(utf8('reply'));
      observed.subscription.unsubscribe();
      expect((await reply).toString()).toBe('reply');
      expect(await closedValue(connection)).toBeNull();
      expect(await closedValue(client)).toBeNull();
      expect(await rejectionOf(createConnection({ host: HOST, port }))).toBeInstanceOf(
        ConnectionRefusedError,
      );
    });
  });

  describe('fromSubprocess', () => {
    it.each(EARLY_TURNS)('before it has started (after %i turns) kills the child', async (n) => {
      const duration = uniqueSleep();
      const observed = observe(resources, fromSubprocess('sleep', [duration]));
      await turns(n);
      observed.subscription.unsubscribe();
      await expectHandlesBack(leaks.baseline(), { types: ['ProcessWrap'] });
      expect(processesWith(`sleep ${duration}`)).toEqual([]);
      expect(observed.ending).toBeNull();
      for (const child of observed.values) {
        expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
      }
    });

    it('mid-stream kills the child with SIGKILL', async () => {
      const observed = observe(resources, fromSubprocess('cat'));
      const child: SubprocessTransport = await within(observed.first, 'the child');
      const echoed = record(child.data$);
      child.sink.next(utf8('ping'));
      await waitFor(() => echoed.bytes().toString() === 'ping', 'the echo');
      child.sink.next(patternBytes(MiB));
      observed.subscription.unsubscribe();
      expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      expect(isAlive(child.getPid())).toBe(false);
      expect(observed.ending).toBeNull();
    });

    it('after EOF on its stdout kills the child that still runs', async () => {
      const duration = uniqueSleep();
      const observed = observe(
        resources,
        fromSubprocess('/bin/sh', ['-c', `echo done; exec >&-; exec sleep ${duration}`]),
      );
      const child: SubprocessTransport = await within(observed.first, 'the child');
      expect((await collect(child.data$)).toString()).toBe('done\n');
      expect(child.getReturncode()).toBeNull();
      observed.subscription.unsubscribe();
      expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      expect(processesWith(`sleep ${duration}`)).toEqual([]);
    });

    it('after the child exited is a no-op: the cold form had completed', async () => {
      const observed = observe(resources, fromSubprocess('true'));
      const child: SubprocessTransport = await within(observed.first, 'the child');
      await waitFor(() => observed.ending !== null, 'completion');
      expect(observed.ending).toBe('complete');
      expect(child.getReturncode()).toBe(0);
      observed.subscription.unsubscribe();
    });
  });

  describe('fromDatagramEndpoint', () => {
    it.each(EARLY_TURNS)('before it is bound (after %i turns) closes the socket', async (n) => {
      const observed = observe(
        resources,
        fromDatagramEndpoint({ localAddr: { host: HOST, port: 0 } }),
      );
      await turns(n);
      observed.subscription.unsubscribe();
      await expectHandlesBack(leaks.baseline(), { types: ['UDPWrap'] });
      for (const endpoint of observed.values) {
        expect(await valueOf(endpoint.closed$, 'the endpoint to close')).toBeNull();
      }
      expect(observed.ending).toBeNull();
    });

    it('mid-stream closes the endpoint after its queued datagrams went out', async () => {
      const peer = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      resources.defer(async () => {
        peer.abort();
        await firstValueFrom(peer.closed$);
      });
      const got: string[] = [];
      peer.datagrams$.subscribe(({ data }) => got.push(Buffer.from(data).toString()));
      const observed = observe(
        resources,
        fromDatagramEndpoint({ localAddr: { host: HOST, port: 0 }, remoteAddr: sockname(peer) }),
      );
      const endpoint = await within(observed.first, 'the endpoint');
      const echoes: string[] = [];
      endpoint.datagrams$.subscribe(({ data }) => echoes.push(Buffer.from(data).toString()));
      peer.sendto(utf8('hello'), sockname(endpoint));
      await waitFor(() => echoes.length === 1, 'a datagram');
      for (let i = 0; i < 50; i++) endpoint.sendto(utf8(`d${i}`));
      observed.subscription.unsubscribe();
      expect(endpoint.isClosing()).toBe(true);
      expect(await valueOf(endpoint.closed$, 'the endpoint to close')).toBeNull();
      // Loopback UDP under no load delivers them all, in order.
      await waitFor(() => got.length === 50, 'the 50 datagrams');
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `d${i}`));
    });

    it('after its peer went away closes it; errors$ had reported ECONNREFUSED', async () => {
      const peer = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      const peerAddr = sockname(peer);
      peer.abort();
      await firstValueFrom(peer.closed$);
      const observed = observe(
        resources,
        fromDatagramEndpoint({ localAddr: { host: HOST, port: 0 }, remoteAddr: peerAddr }),
      );
      const endpoint = await within(observed.first, 'the endpoint');
      const errors: Error[] = [];
      endpoint.errors$.subscribe((error) => errors.push(error));
      for (let i = 0; i < 20 && errors.length === 0; i++) {
        endpoint.sendto(utf8('anyone?'));
        await turns(3);
      }
      // Linux reports the ICMP port-unreachable of a connected UDP socket on a later call.
      for (const error of errors) expect(error).toHaveProperty('code', 'ECONNREFUSED');
      observed.subscription.unsubscribe();
      expect(await valueOf(endpoint.closed$, 'the endpoint to close')).toBeNull();
      expect(observed.ending).toBeNull();
      await expectHandlesBack(countHandles(), { types: ['UDPWrap'] });
    });
  });
});
