/**
 * Load: 10,000 connect/close cycles against one `createServer`, after which the process holds
 * no more handles than before, the listening socket has no more event listeners, every accepted
 * connection has delivered `connectionLost`, and the heap is back near its baseline.
 */
import * as net from 'node:net';
import { firstValueFrom } from 'rxjs';
import {
  ConnectionRefusedError,
  createConnection,
  fromConnection,
  type SocketTransport,
} from '../../src/index';
import { patternBytes, utf8 } from '../helpers/bytes';
import { countHandles, expectHandlesBack, findGc, settledHeapUsed } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { startServer } from '../helpers/servers';
import { HOST, unusedPort } from '../helpers/sockets';
import { collect, closedValue } from '../helpers/streams';
import { within } from '../helpers/process';

const CYCLES = 10_000;
const WARM_UP = 500;
const PARALLEL = 25;
const MIXED_CYCLES = 2_000;
/** Heap growth allowed over 10,000 cycles: far below what keeping anything per cycle costs. */
const HEAP_BOUND = 8 * MiB;

/** Listener counts of every event an emitter has listeners for. */
function listenerCounts(emitter: NodeJS.EventEmitter): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of emitter.eventNames()) counts[String(name)] = emitter.listenerCount(name);
  return counts;
}

/** Listener counts of `process` (a library leaking a handler per connection shows here). */
function processListeners(): Record<string, number> {
  return listenerCounts(process);
}

describe('createServer connect/close cycles', () => {
  const resources = useResources();

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('returns handles, listeners and memory to their baseline after 10,000 cycles', async () => {
    // The net.Server under the rxtransport Server, to count its listeners.
    const listen = jest.spyOn(net.Server.prototype, 'listen');
    const { server, port } = await startServer(resources);
    const netServer = listen.mock.contexts[0] as net.Server | undefined;
    expect(netServer).toBeInstanceOf(net.Server);
    listen.mockRestore();

    let accepted = 0;
    let lost = 0;
    const lostErrors: unknown[] = [];
    server.connections$.subscribe((connection) => {
      accepted += 1;
      connection.closed$.subscribe((exc) => {
        lost += 1;
        if (exc) lostErrors.push(exc);
      });
      // Echo, so that the client's EOF is answered and the server side closes itself.
      connection.data$.subscribe(connection.sink);
    });

    /** One cycle: connect, send a byte, read the echo, close. */
    const cycle = async (n: number): Promise<void> => {
      const client: SocketTransport = await createConnection({ host: HOST, port });
      const echoed = collect(client.data$);
      client.write(utf8(String(n % 10)));
      client.writeEof();
      expect((await echoed).toString()).toBe(String(n % 10));
      client.close();
      expect(await closedValue(client)).toBeNull();
    };
    const run = async (cycles: number): Promise<void> => {
      let next = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (next < cycles) await cycle(next++);
        }),
      );
    };

    await run(WARM_UP);
    await within(
      (async () => {
        while (lost < accepted) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      'warm-up connections to close',
    );
    const handles = countHandles();
    const serverListeners = listenerCounts(netServer!);
    const ownListeners = processListeners();
    const gc = findGc();
    const heapBefore = gc ? await settledHeapUsed(gc) : 0;

    const started = Date.now();
    await run(CYCLES);
    const elapsed = Date.now() - started;
    await within(
      (async () => {
        while (lost < accepted) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      'every server-side connection to deliver connectionLost',
      20_000,
    );

    expect(accepted).toBe(WARM_UP + CYCLES);
    expect(lost).toBe(accepted);
    expect(lostErrors).toEqual([]);
    await expectHandlesBack(handles, { what: `${CYCLES} connect/close cycles`, timeoutMs: 10_000 });
    expect(listenerCounts(netServer!)).toEqual(serverListeners);
    expect(processListeners()).toEqual(ownListeners);
    expect(server.isServing()).toBe(true);

    let heapNote: string;
    if (gc) {
      const growth = (await settledHeapUsed(gc)) - heapBefore;
      heapNote = `heapUsed growth after gc ${(growth / MiB).toFixed(2)} MiB (bound ${HEAP_BOUND / MiB} MiB)`;
      expect(growth).toBeLessThan(HEAP_BOUND);
    } else {
      heapNote = 'heap NOT checked: no gc function available (neither --expose-gc nor v8 flags)';
    }
    console.log(
      `connect/close cycles: ${CYCLES} in ${elapsed} ms, ${PARALLEL} at a time; ${heapNote}`,
    );

    server.close();
    await within(server.waitClosed(), 'the server to close');
  }, 120_000);

  it('returns handles and listeners to their baseline after 2,000 mixed cycles (close, abort, refused, cold)', async () => {
    const listen = jest.spyOn(net.Server.prototype, 'listen');
    const { server, port } = await startServer(resources);
    const netServer = listen.mock.contexts[0] as net.Server;
    listen.mockRestore();
    const refusedPort = await unusedPort();
    let accepted = 0;
    let lost = 0;
    server.connections$.subscribe((connection) => {
      accepted += 1;
      connection.closed$.subscribe(() => (lost += 1));
      // Echo; the client's EOF (or loss) ends the server side too.
      connection.data$.subscribe(connection.sink);
    });
    const handles = countHandles();
    const serverListeners = listenerCounts(netServer);
    const ownListeners = processListeners();
    const outcomes = new Map<string, number>();
    const count = (key: string): void => {
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    };

    const cycle = async (n: number): Promise<void> => {
      switch (n % 5) {
        case 0: {
          const client = await createConnection({ host: HOST, port });
          client.write(utf8('x'));
          client.close();
          count(`close ${String(await closedValue(client))}`);
          break;
        }
        case 1: {
          const client = await createConnection({ host: HOST, port });
          client.write(patternBytes(64 * 1024));
          client.abort();
          count(`abort ${String(await closedValue(client))}`);
          break;
        }
        case 2: {
          // Closing while the echo is still coming back: unread data, so the kernel resets.
          const client = await createConnection({ host: HOST, port });
          client.write(patternBytes(64 * 1024));
          await new Promise((resolve) => setImmediate(resolve));
          client.close();
          const exc = await closedValue(client);
          count(`close-while-echoing ${exc === null ? 'null' : (exc as { code?: string }).code}`);
          break;
        }
        case 3: {
          const error = await rejectionOf(createConnection({ host: HOST, port: refusedPort }));
          expect(error).toBeInstanceOf(ConnectionRefusedError);
          count('refused');
          break;
        }
        case 4: {
          const transport = await firstValueFrom(fromConnection({ host: HOST, port }));
          // firstValueFrom unsubscribed after the first value: the cold form closes it.
          count(`cold ${String(await closedValue(transport))}`);
          break;
        }
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < MIXED_CYCLES) await cycle(next++);
      }),
    );
    await within(
      (async () => {
        while (lost < accepted) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      'every server-side connection to be lost',
      20_000,
    );
    await expectHandlesBack(handles, { what: 'the mixed cycles', timeoutMs: 10_000 });
    expect(listenerCounts(netServer)).toEqual(serverListeners);
    expect(processListeners()).toEqual(ownListeners);
    console.log(
      `mixed cycles: ${MIXED_CYCLES}; ${accepted} accepted; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    server.close();
    await within(server.waitClosed(), 'the server to close');
  }, 120_000);
});
