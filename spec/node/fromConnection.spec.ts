/**
 * fromConnection: the cold form of createConnection, over real loopback sockets.
 */
import type { Observable, Subscription } from 'rxjs';
import {
  ConnectionRefusedError,
  ConnectionResetError,
  fromConnection,
  TransportOSError,
  type SocketTransport,
} from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { readAll, startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { startEchoServer } from '../helpers/servers';
import { HOST, netHandleCount, unusedPort } from '../helpers/sockets';
import { closedValue, collect } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';

/** What a subscription to a cold transport Observable saw. */
interface Observed {
  readonly transports: SocketTransport[];
  state: 'open' | 'complete' | 'error';
  error: unknown;
  subscription: Subscription;
}

describe('fromConnection', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const subscriptions: Subscription[] = [];

  afterEach(() => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
  });

  function observe(source$: Observable<SocketTransport>): Observed {
    const observed: Observed = {
      transports: [],
      state: 'open',
      error: undefined,
      subscription: undefined as unknown as Subscription,
    };
    observed.subscription = source$.subscribe({
      next: (transport) => observed.transports.push(resources.transport(transport)),
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

  it('connects on subscribe, emits the transport and completes when it closes cleanly', async () => {
    const { port, clients } = await startEchoServer(resources);
    const fromConnection$ = fromConnection({ host: HOST, port });
    await turns(3);
    expect(clients).toEqual([]); // cold: nothing happens before subscribing

    const observed = observe(fromConnection$);
    await waitFor(() => observed.transports.length === 1, 'the transport');
    const transport = observed.transports[0]!;
    expect(transport.isClosing()).toBe(false);
    const echoed = collect(transport.data$);
    transport.write(utf8('cold'));
    transport.writeEof();
    expect((await echoed).toString()).toBe('cold');
    expect(await closedValue(transport)).toBeNull();
    await waitFor(() => observed.state !== 'open', 'the Observable to end');
    expect(observed.state).toBe('complete');
    expect(observed.transports).toHaveLength(1);
  });

  it('closes the transport on unsubscribe, so the peer sees EOF', async () => {
    const raw = await startRawServer(resources);
    const receipt = raw.firstSocket.then(readAll);
    const observed = observe(fromConnection({ host: HOST, port: raw.port }));
    await waitFor(() => observed.transports.length === 1, 'the transport');
    const transport = observed.transports[0]!;
    transport.write(utf8('last words'));
    observed.subscription.unsubscribe();
    expect(transport.isClosing()).toBe(true);
    const { data, ending } = await receipt;
    expect(ending).toBe('end');
    expect(data.toString()).toBe('last words');
    expect(await closedValue(transport)).toBeNull();
    expect(observed.state).toBe('open'); // unsubscribed: no notification after that
  });

  it('connects anew for each subscription', async () => {
    const { port, clients } = await startEchoServer(resources);
    const connection$ = fromConnection({ host: HOST, port });
    const first = observe(connection$);
    const second = observe(connection$);
    await waitFor(
      () => first.transports.length === 1 && second.transports.length === 1,
      'both transports',
    );
    expect(first.transports[0]).not.toBe(second.transports[0]);
    await waitFor(() => clients.length === 2, 'two server-side connections');
  });

  it('closes a transport that connects after an early unsubscribe', async () => {
    const raw = await startRawServer(resources);
    const receipt = raw.firstSocket.then(readAll);
    const observed = observe(fromConnection({ host: HOST, port: raw.port }));
    observed.subscription.unsubscribe();
    const { ending } = await receipt;
    expect(ending).toBe('end');
    expect(observed.transports).toEqual([]);
    expect(observed.state).toBe('open');
  });

  it('errors with ConnectionRefusedError when nothing listens', async () => {
    const port = await unusedPort();
    const handles = netHandleCount();
    const observed = observe(fromConnection({ host: HOST, port }));
    await waitFor(() => observed.state !== 'open', 'the Observable to end');
    expect(observed.state).toBe('error');
    expect(observed.error).toBeInstanceOf(ConnectionRefusedError);
    expect(observed.error).toHaveProperty('code', 'ECONNREFUSED');
    expect(observed.transports).toEqual([]);
    await turns(2);
    expect(netHandleCount()).toBeLessThanOrEqual(handles);
  });

  it('errors with the error the connection is lost with', async () => {
    const raw = await startRawServer(resources, (socket) => {
      socket.resetAndDestroy();
    });
    const observed = observe(fromConnection({ host: HOST, port: raw.port }));
    await waitFor(() => observed.state !== 'open', 'the Observable to end');
    expect(observed.state).toBe('error');
    expect(observed.error).toBeInstanceOf(ConnectionResetError);
    expect(observed.error).toBeInstanceOf(TransportOSError);
    if (observed.transports.length === 1) {
      expect(await closedValue(observed.transports[0]!)).toBe(observed.error);
    }
  });

  it('errors with TypeError ERR_INVALID_ARG_TYPE for bad options', async () => {
    const observed = observe(fromConnection({ host: HOST, port: '80' } as never));
    await waitFor(() => observed.state !== 'open', 'the Observable to end');
    expect(observed.state).toBe('error');
    expect(observed.error).toBeInstanceOf(TypeError);
    expect(observed.error).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
  });
});
