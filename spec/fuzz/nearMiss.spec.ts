/**
 * Targeted near-miss inputs, one by one: the values the properties found (or that sit right at
 * the edge of what a call accepts), each checked the same way: the call works, or throws/rejects
 * with a `TransportError`, or a `TypeError`/`RangeError` carrying a string `code`; nothing is
 * left open; nothing becomes an uncaught exception.
 */
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  connectReadPipe,
  connectWritePipe,
  createConnection,
  createDatagramEndpoint,
  createServer,
  createUnixConnection,
  createUnixServer,
  subprocessExec,
  type InetAddress,
  type SocketTransport,
} from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { countHandles, expectHandlesBack, useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { startServer } from '../helpers/servers';
import { HOST, inetAddressOf } from '../helpers/sockets';
import { closedValue, record } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { trackProcess, valueOf, within } from '../helpers/process';
import {
  HANDLE_TYPES,
  checkCall,
  collectExceptionReports,
  expectWorksOrCodedError,
  settle,
} from './badInput';

/** Protocol factories whose protocol is not an object. */
const NON_OBJECT_PROTOCOLS: readonly [string, () => unknown][] = [
  ['a number', () => 5],
  ['a string', () => 'protocol'],
  ['true', () => true],
  ['a symbol', () => Symbol('protocol')],
];

/** A detached ArrayBuffer, and a view over one. */
function detached(): { buffer: ArrayBuffer; view: Uint8Array } {
  const buffer = new ArrayBuffer(8);
  structuredClone(buffer, { transfer: [buffer] });
  const view = new Uint8Array(new ArrayBuffer(8));
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return { buffer, view };
}

describe('targeted near-miss inputs', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const exceptions = collectExceptionReports();
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxt-near-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a protocol factory returning a non-object (5, a string, true, a symbol)', () => {
    it('createConnection works or rejects, and leaves no socket open', async () => {
      const { server, port } = await startServer(resources);
      server.connections$.subscribe((connection) => {
        connection.close();
      });
      for (const [what, protocol] of NON_OBJECT_PROTOCOLS) {
        await checkCall(`createConnection (protocol: ${what})`, () =>
          createConnection({ host: HOST, port, protocol: protocol as never }),
        );
      }
    });

    it('createUnixConnection works or rejects, and leaves no socket open', async () => {
      const path = join(dir, 'unix.sock');
      resources.server(await createUnixServer({ path })).connections$.subscribe((connection) => {
        connection.close();
      });
      for (const [what, protocol] of NON_OBJECT_PROTOCOLS) {
        await checkCall(`createUnixConnection (protocol: ${what})`, () =>
          createUnixConnection({ path, protocol: protocol as never }),
        );
      }
    });

    it('createDatagramEndpoint works or rejects, and leaves no socket open', async () => {
      for (const [what, protocol] of NON_OBJECT_PROTOCOLS) {
        await checkCall(`createDatagramEndpoint (protocol: ${what})`, () =>
          createDatagramEndpoint({
            localAddr: { host: HOST, port: 0 },
            protocol: protocol as never,
          }),
        );
      }
    });

    it.each([
      ['connectReadPipe', connectReadPipe],
      ['connectWritePipe', connectWritePipe],
    ] as const)('%s works or rejects, and leaves no stream open', async (name, connect) => {
      for (const [what, protocol] of NON_OBJECT_PROTOCOLS) {
        const stream = new PassThrough();
        await checkCall(`${name} (protocol: ${what})`, () =>
          connect(stream, { protocol: protocol as never }),
        );
        // The transport owns the stream: whatever the outcome, it must not be left open.
        await waitFor(
          () => stream.destroyed || stream.writableFinished,
          `${name} (protocol: ${what}) to end the stream it owns`,
          2_000,
        );
      }
    });

    it('subprocessExec works or rejects, and leaves no child running', async () => {
      for (const [what, protocol] of NON_OBJECT_PROTOCOLS) {
        await checkCall(`subprocessExec (protocol: ${what})`, () =>
          subprocessExec('true', [], { protocol: protocol as never }),
        );
      }
    });

    it('createServer turns a connecting client away; nothing escapes; it goes on serving', async () => {
      const server = resources.server(
        await createServer({ host: HOST, port: 0, protocol: (() => 5) as never }),
      );
      const { port } = inetAddressOf(server);
      for (let i = 0; i < 2; i++) {
        const client = resources.transport(await createConnection({ host: HOST, port }));
        const data = record(client.data$);
        // The server side cannot be built: the client sees the connection end, or the server
        // reports why (to the exception handler), instead of throwing from its 'connection'.
        await waitFor(
          () => data.ended !== null || exceptions.reports.length > 0,
          'the server to turn the client away or report the bad protocol',
          3_000,
        );
        client.close();
        await closedValue(client);
      }
      expect(server.isServing()).toBe(true);
    });
  });

  describe('values whose conversion to a string throws', () => {
    it('sendSignal(Object.create(null)) throws a coded TypeError', async () => {
      const child: SubprocessTransport = trackProcess(
        resources,
        await subprocessExec('sleep', ['30']),
      );
      const outcome = await settle(() => {
        child.sendSignal(Object.create(null) as never);
      });
      expectWorksOrCodedError(outcome, 'sendSignal(Object.create(null))');
      expect(child.getReturncode()).toBeNull();
    });

    it('getExtraInfo(Object.create(null)) returns the default or throws a coded TypeError', async () => {
      const { port } = await startServer(resources);
      const client: SocketTransport = resources.transport(
        await createConnection({ host: HOST, port }),
      );
      const outcome = await settle(() =>
        client.getExtraInfo(Object.create(null) as never, 'default'),
      );
      expectWorksOrCodedError(outcome, 'getExtraInfo(Object.create(null))');
    });
  });

  describe('detached buffers', () => {
    it('write, writelines and sink.next refuse a detached ArrayBuffer with a coded TypeError', async () => {
      const { port } = await startServer(resources);
      const client: SocketTransport = resources.transport(
        await createConnection({ host: HOST, port }),
      );
      const { buffer, view } = detached();
      for (const [call, fn] of [
        [
          'write(detached ArrayBuffer)',
          () => {
            client.write(buffer);
          },
        ],
        [
          'write(view of a detached buffer)',
          () => {
            client.write(view);
          },
        ],
        [
          'writelines([detached ArrayBuffer])',
          () => {
            client.writelines([buffer]);
          },
        ],
      ] as const) {
        expectWorksOrCodedError(await settle(fn), call);
      }
      // sink.next has no caller to throw to: the transport goes on, or takes the fatal path,
      // and then what it is lost with (and reports) is a coded error too.
      client.sink.next(buffer as never);
      await turns(3);
      if (client.isClosing()) {
        const exc = await closedValue(client);
        expectWorksOrCodedError({ kind: 'threw', error: exc }, 'sink.next(detached ArrayBuffer)');
      }
    });

    it('sendto refuses a detached ArrayBuffer or view with a coded TypeError', async () => {
      const endpoint = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      resources.defer(async () => {
        endpoint.abort();
        await valueOf(endpoint.closed$, 'the endpoint to close');
      });
      const to = endpoint.getExtraInfo('sockname') as InetAddress;
      const { buffer, view } = detached();
      expectWorksOrCodedError(
        await settle(() => {
          endpoint.sendto(buffer, to);
        }),
        'sendto(detached)',
      );
      expectWorksOrCodedError(
        await settle(() => {
          endpoint.sendto(view, to);
        }),
        'sendto(view)',
      );
    });

    it('sendto takes an empty view of a SharedArrayBuffer (a zero-length datagram) or refuses it with a code', async () => {
      const endpoint = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      resources.defer(async () => {
        endpoint.abort();
        await valueOf(endpoint.closed$, 'the endpoint to close');
      });
      const to = endpoint.getExtraInfo('sockname') as InetAddress;
      const empty = new Uint8Array(new SharedArrayBuffer(0));
      expectWorksOrCodedError(
        await settle(() => {
          endpoint.sendto(empty, to);
        }),
        'sendto(empty SAB view)',
      );
    });
  });

  describe('descriptors', () => {
    it('subprocessExec with stdin set to an fd that is not open rejects with a TransportError', async () => {
      const before = countHandles();
      const outcome = await settle(() => subprocessExec('true', [], { stdin: 19_999 }));
      if (outcome.kind === 'resolved') {
        const child = outcome.value as SubprocessTransport;
        child.close();
        await within(valueOf(child.closed$, 'the child'), 'the child to end');
      }
      expectWorksOrCodedError(outcome, 'subprocessExec(stdin: unopened fd)');
      await expectHandlesBack(before, { types: HANDLE_TYPES });
    });
  });
});

describe('targeted near-miss inputs: a descriptor Node already watches', () => {
  const resources = useResources();
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxt-near-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('connectReadPipe(fd) of an fd another transport already reads rejects with a TransportError', async () => {
    const before = countHandles();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const first = await connectReadPipe(readFd);
    const outcome = await settle(() => connectReadPipe(readFd));
    first.close();
    await valueOf(first.closed$, 'the pipe to close');
    closeSync(writeFd);
    await resources.dispose();
    // Node's net.Socket constructor keeps the Pipe it made when opening the fd fails (EEXIST):
    // an inactive handle that does not hold the loop, out of rxtransport's reach. Only that one
    // is tolerated.
    const after = countHandles();
    expect((after['PipeWrap'] ?? 0) - (before['PipeWrap'] ?? 0)).toBeLessThanOrEqual(1);
    await expectHandlesBack(before, { types: HANDLE_TYPES.filter((t) => t !== 'PipeWrap') });
    expectWorksOrCodedError(outcome, 'connectReadPipe(an fd already in use)');
  });
});
