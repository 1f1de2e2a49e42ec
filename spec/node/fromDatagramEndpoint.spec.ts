/**
 * fromDatagramEndpoint: the cold form of createDatagramEndpoint, over real UDP sockets.
 */
import * as dgram from 'node:dgram';
import { firstValueFrom, type Observable, type Subscription } from 'rxjs';
import type { InetAddress } from '../../src/core/address';
import type { DatagramTransport } from '../../src/core/datagramTransports';
import { UnsupportedError } from '../../src/core/errors';
import { TransportOSError } from '../../src/core/osErrors';
import { fromDatagramEndpoint } from '../../src/node/fromDatagramEndpoint';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';

const HOST = '127.0.0.1';

/** What a subscription to a cold endpoint Observable saw. */
interface Observed {
  readonly endpoints: DatagramTransport[];
  state: 'open' | 'complete' | 'error';
  error: unknown;
  subscription: Subscription;
}

function udpHandleCount(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'UDPWrap').length;
}

function sockname(endpoint: DatagramTransport): InetAddress {
  const addr = endpoint.getExtraInfo('sockname');
  if (!addr || 'path' in addr) throw new Error('endpoint has no Internet sockname');
  return addr;
}

describe('fromDatagramEndpoint', () => {
  const subscriptions: Subscription[] = [];
  const endpoints: DatagramTransport[] = [];
  const sockets: dgram.Socket[] = [];
  /** UDP handles open before the test (none, unless an earlier spec file leaked one). */
  let baseline = 0;

  beforeEach(() => {
    baseline = udpHandleCount();
  });

  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    for (const endpoint of endpoints.splice(0)) {
      endpoint.abort();
      await firstValueFrom(endpoint.closed$);
    }
    await Promise.all(
      sockets.splice(0).map((socket) => new Promise<void>((resolve) => socket.close(resolve))),
    );
    await turns(3);
    expect(udpHandleCount()).toBe(baseline);
  });
  // Declared after the cleanup, so that its check runs after it: what closing reports counts.
  useExceptionReports();

  function observe(source$: Observable<DatagramTransport>): Observed {
    const observed: Observed = {
      endpoints: [],
      state: 'open',
      error: undefined,
      subscription: undefined as unknown as Subscription,
    };
    observed.subscription = source$.subscribe({
      next: (endpoint) => {
        endpoints.push(endpoint);
        observed.endpoints.push(endpoint);
      },
      error: (error: unknown) => {
        observed.state = 'error';
        observed.error = error;
      },
      complete: () => {
        observed.state = 'complete';
      },
    });
    subscriptions.push(observed.subscription);
    return observed;
  }

  /** A raw UDP socket on 127.0.0.1 that records what it receives. */
  async function rawPeer(): Promise<{ port: number; received: Buffer[] }> {
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    const received: Buffer[] = [];
    socket.on('message', (data) => received.push(data));
    await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
    return { port: socket.address().port, received };
  }

  it('opens on subscribe, emits the endpoint and completes when it closes', async () => {
    const endpoint$ = fromDatagramEndpoint({ localAddr: { host: HOST } });
    await turns(3);
    expect(udpHandleCount()).toBe(baseline); // cold: nothing happens before subscribing

    const observed = observe(endpoint$);
    await waitFor(() => observed.endpoints.length === 1, 'the endpoint');
    const endpoint = observed.endpoints[0]!;
    expect(endpoint.isClosing()).toBe(false);
    expect(sockname(endpoint).host).toBe(HOST);
    endpoint.close();
    await waitFor(() => observed.state !== 'open', 'the Observable to end');
    expect(observed.state).toBe('complete');
  });

  it('closes the endpoint on unsubscribe, after the datagrams already sent went out', async () => {
    const peer = await rawPeer();
    const observed = observe(fromDatagramEndpoint({ remoteAddr: { host: HOST, port: peer.port } }));
    await waitFor(() => observed.endpoints.length === 1, 'the endpoint');
    const endpoint = observed.endpoints[0]!;
    for (let i = 0; i < 5; i++) endpoint.sendto(new TextEncoder().encode(`last ${i}`));
    observed.subscription.unsubscribe();
    expect(endpoint.isClosing()).toBe(true);
    expect(await firstValueFrom(endpoint.closed$)).toBeNull();
    await waitFor(() => peer.received.length === 5, 'five datagrams');
    expect(peer.received.map(String)).toEqual(['last 0', 'last 1', 'last 2', 'last 3', 'last 4']);
    expect(observed.state).toBe('open'); // unsubscribed: no notification after that
  });

  it('opens a new endpoint for each subscription', async () => {
    const endpoint$ = fromDatagramEndpoint({ localAddr: { host: HOST } });
    const first = observe(endpoint$);
    const second = observe(endpoint$);
    await waitFor(
      () => first.endpoints.length === 1 && second.endpoints.length === 1,
      'both endpoints',
    );
    expect(sockname(first.endpoints[0]!).port).not.toBe(sockname(second.endpoints[0]!).port);
  });

  it('closes an endpoint that opens after an early unsubscribe', async () => {
    const events: string[] = [];
    const observed = observe(
      fromDatagramEndpoint({
        localAddr: { host: HOST },
        protocol: () => ({
          connectionMade: () => events.push('made'),
          connectionLost: (exc) => events.push(`lost ${String(exc)}`),
        }),
      }),
    );
    observed.subscription.unsubscribe();
    await waitFor(() => events.length === 2, 'the endpoint to open and close');
    expect(events).toEqual(['made', 'lost null']);
    expect(observed.endpoints).toEqual([]);
    expect(observed.state).toBe('open');
  });

  it('errors with the factory’s typed error and leaves no socket open', async () => {
    const unix = observe(fromDatagramEndpoint({ family: 'unix' }));
    const inUse = observe(fromDatagramEndpoint({ localAddr: { host: HOST } }));
    await waitFor(() => inUse.endpoints.length === 1, 'the first endpoint');
    const port = sockname(inUse.endpoints[0]!).port;
    const busy = observe(fromDatagramEndpoint({ localAddr: { host: HOST, port } }));
    await waitFor(() => unix.state !== 'open' && busy.state !== 'open', 'both to fail');
    expect(unix.error).toBeInstanceOf(UnsupportedError);
    expect(unix.error).toHaveProperty('code', 'ERR_UNSUPPORTED');
    expect(busy.error).toBeInstanceOf(TransportOSError);
    expect(busy.error).toHaveProperty('code', 'EADDRINUSE');
    await turns(3);
    expect(udpHandleCount()).toBe(baseline + 1);
  });
});
