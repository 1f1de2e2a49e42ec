/**
 * fromServer: the cold form of createServer, over real loopback sockets. The Observable hides
 * its Server, so each test listens on a port found free just before.
 */
import type { Subscription } from 'rxjs';
import {
  ConnectionRefusedError,
  createConnection,
  fromServer,
  TransportOSError,
  type SocketTransport,
} from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { startServer } from '../helpers/servers';
import { HOST, netHandleCount, unusedPort } from '../helpers/sockets';
import { closedValue, collect, record } from '../helpers/streams';
import { delay, turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';

interface Observed {
  readonly accepted: SocketTransport[];
  state: 'open' | 'complete' | 'error';
  error: unknown;
  subscription: Subscription;
}

describe('fromServer', () => {
  const resources = useResources();
  const subscriptions: Subscription[] = [];

  afterEach(() => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
  });
  // After the unsubscribing above: hooks run in the order they are declared.
  useLeakCheck(resources);

  function observe(options: Parameters<typeof fromServer>[0]): Observed {
    const observed: Observed = {
      accepted: [],
      state: 'open',
      error: undefined,
      subscription: undefined as unknown as Subscription,
    };
    observed.subscription = fromServer(options).subscribe({
      next: (transport) => observed.accepted.push(resources.transport(transport)),
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

  /** Connects to `port`, retrying while the cold server is not listening yet. */
  async function connectWhenListening(port: number): Promise<SocketTransport> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        return resources.transport(await createConnection({ host: HOST, port }));
      } catch (error) {
        if (!(error instanceof ConnectionRefusedError) || Date.now() > deadline) throw error;
        await turns(1);
      }
    }
  }

  it('listens on subscribe and emits each accepted connection', async () => {
    const port = await unusedPort();
    const observed = observe({ host: HOST, port });
    const first = await connectWhenListening(port);
    const second = await connectWhenListening(port);
    await waitFor(() => observed.accepted.length === 2, 'two accepted connections');
    for (const serverSide of observed.accepted) serverSide.data$.subscribe(serverSide.sink);
    for (const [client, text] of [
      [first, 'one'],
      [second, 'two'],
    ] as const) {
      const echoed = collect(client.data$);
      client.write(utf8(text));
      client.writeEof();
      expect((await echoed).toString()).toBe(text);
    }
    expect(observed.state).toBe('open');
  });

  it('closes the server and its clients on unsubscribe', async () => {
    const port = await unusedPort();
    const observed = observe({ host: HOST, port });
    const client = await connectWhenListening(port);
    await waitFor(() => observed.accepted.length === 1, 'the accepted connection');
    const serverSide = observed.accepted[0]!;
    const data = record(client.data$);
    serverSide.write(utf8('goodbye'));

    observed.subscription.unsubscribe();
    expect(serverSide.isClosing()).toBe(true);
    expect(await closedValue(serverSide)).toBeNull();
    await waitFor(() => data.ended !== null, 'the client to see EOF');
    expect(data.ended).toBe('complete');
    expect(data.bytes().toString()).toBe('goodbye');

    const error = await rejectionOf(createConnection({ host: HOST, port }));
    expect(error).toBeInstanceOf(ConnectionRefusedError);
  });

  it('closes a server that starts listening after an early unsubscribe', async () => {
    const port = await unusedPort();
    const handles = netHandleCount();
    const observed = observe({ host: HOST, port });
    observed.subscription.unsubscribe();
    // The listen completes a little later (after the host lookup); then it must close again.
    await delay(50);
    await turns(3);
    expect(netHandleCount()).toBeLessThanOrEqual(handles);
    const error = await rejectionOf(createConnection({ host: HOST, port }));
    expect(error).toBeInstanceOf(ConnectionRefusedError);
  });

  it('errors with TransportOSError EADDRINUSE when the port is taken', async () => {
    const { port } = await startServer(resources);
    const observed = observe({ host: HOST, port });
    await waitFor(() => observed.state !== 'open', 'the Observable to end');
    expect(observed.state).toBe('error');
    expect(observed.error).toBeInstanceOf(TransportOSError);
    expect(observed.error).toHaveProperty('code', 'EADDRINUSE');
  });

  it('errors with RangeError ERR_OUT_OF_RANGE for a bad port', async () => {
    const observed = observe({ host: HOST, port: 70000 });
    await waitFor(() => observed.state !== 'open', 'the Observable to end');
    expect(observed.state).toBe('error');
    expect(observed.error).toBeInstanceOf(RangeError);
    expect(observed.error).toHaveProperty('code', 'ERR_OUT_OF_RANGE');
  });
});
