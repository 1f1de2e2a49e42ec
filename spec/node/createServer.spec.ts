/**
 * createServer over real loopback sockets: accepting, the connections$ queue, the Server's
 * lifecycle (close, waitClosed, closeClients, abortClients) and whole echoes checked by digest.
 */
import { types } from 'node:util';
import {
  createConnection,
  createServer,
  TransportClosedError,
  TransportOSError,
  UnsupportedError,
  type Address,
  type SocketTransport,
} from '../../src/index';
import { patternBytes, sha256, utf8, writeChunked } from '../helpers/bytes';
import { MiB } from '../helpers/bytes';
import { rejectionOf, thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { nextConnection, startEchoServer, startServer } from '../helpers/servers';
import { HOST, netHandleCount, unusedPort } from '../helpers/sockets';
import { closedValue, collect, record } from '../helpers/streams';
import { settlesSoon, turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

function portOf(address: Address | undefined): number {
  if (address === undefined || 'path' in address) throw new Error('not a TCP address');
  return address.port;
}

describe('createServer', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function connect(port: number): Promise<SocketTransport> {
    return resources.transport(await createConnection({ host: HOST, port }));
  }

  it('listens on the requested host and a free port', async () => {
    const server = resources.server(await createServer({ host: HOST, port: 0 }));
    const address = server.address();
    expect(address).toEqual({ host: HOST, port: expect.any(Number) as unknown, family: 'IPv4' });
    expect(portOf(address)).toBeGreaterThan(0);
    expect(server.addresses()).toEqual([address]);
    expect(server.isServing()).toBe(true);
    const client = await connect(portOf(address));
    expect(client.getExtraInfo('peername')).toEqual(address);
  });

  it('listens on every interface when no host is given', async () => {
    const server = resources.server(await createServer({ port: 0 }));
    const address = server.address();
    expect(['::', '0.0.0.0']).toContain('host' in address ? address.host : address.path);
    const client = await connect(portOf(address));
    expect(client.isClosing()).toBe(false);
  });

  describe('connections$', () => {
    it('echoes 8 MiB with data$.subscribe(sink), and each side closes itself', async () => {
      const { port, clients } = await startEchoServer(resources);
      const client = await connect(port);
      const payload = patternBytes(8 * MiB);
      const echoed = collect(client.data$);
      writeChunked((chunk) => {
        client.write(chunk);
      }, payload);
      client.writeEof();
      const received = await echoed;
      expect(received.byteLength).toBe(payload.byteLength);
      expect(sha256(received)).toBe(sha256(payload));
      // EOF both received and sent: each transport closes without anyone calling close().
      expect(await closedValue(client)).toBeNull();
      expect(clients).toHaveLength(1);
      expect(await closedValue(clients[0]!)).toBeNull();
    });

    it('queues connections accepted before the first subscriber, dropping none', async () => {
      let made = 0;
      const { server, port } = await startServer(resources, {
        protocol: () => ({
          connectionMade: () => {
            made += 1;
          },
        }),
      });
      const clients = await Promise.all([connect(port), connect(port), connect(port)]);
      // Every connection was accepted and made before anyone subscribed.
      await waitFor(() => made === 3, 'three accepted connections');
      await turns(2);
      const emitted: SocketTransport[] = [];
      server.connections$.subscribe((transport) => emitted.push(transport));
      expect(emitted).toHaveLength(3);
      const accepted = emitted.map((t) => portOf(t.getExtraInfo('peername'))).sort();
      const local = clients.map((c) => portOf(c.getExtraInfo('sockname'))).sort();
      expect(accepted).toEqual(local);
    });

    it('gives queued connections to the first subscriber only', async () => {
      const { server, port } = await startServer(resources);
      const made = nextConnection(server);
      await connect(port);
      await made; // taken by that subscriber
      const late: SocketTransport[] = [];
      server.connections$.subscribe((transport) => late.push(transport));
      expect(late).toEqual([]);
      await connect(port);
      await waitFor(() => late.length === 1, 'the next connection');
    });

    it('completes when the server closes', async () => {
      const { server } = await startServer(resources);
      let completed = false;
      server.connections$.subscribe({ complete: () => (completed = true) });
      server.close();
      expect(completed).toBe(true);
    });
  });

  describe('address', () => {
    it('throws TransportClosedError once the server is closed', async () => {
      const { server } = await startServer(resources);
      server.close();
      expect(server.addresses()).toEqual([]);
      expect(thrownBy(() => server.address())).toBeInstanceOf(TransportClosedError);
    });
  });

  describe('close', () => {
    it('stops accepting but keeps accepted connections open', async () => {
      const { server, port, clients } = await startEchoServer(resources);
      const client = await connect(port);
      await waitFor(() => clients.length === 1, 'the connection');
      server.close();
      server.close();
      expect(server.isServing()).toBe(false);
      expect(clients[0]!.isClosing()).toBe(false);

      const error = await rejectionOf(createConnection({ host: HOST, port }));
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toHaveProperty('code', 'ECONNREFUSED');

      const echoed = collect(client.data$);
      client.write(utf8('still served'));
      client.writeEof();
      expect((await echoed).toString()).toBe('still served');
    });
  });

  describe('waitClosed', () => {
    it('resolves only after the accepted connections are gone', async () => {
      const { server, port, clients } = await startEchoServer(resources);
      const client = await connect(port);
      await waitFor(() => clients.length === 1, 'the connection');
      server.close();
      const closed = server.waitClosed();
      expect(await settlesSoon(closed)).toBe(false);
      client.writeEof(); // the echo half-closes back, and both ends close
      await closed;
      expect(clients[0]!.isClosing()).toBe(true);
      expect(await closedValue(client)).toBeNull();
    });

    it('resolves for a closed server with no connections', async () => {
      const { server } = await startServer(resources);
      const closed = server.waitClosed();
      expect(await settlesSoon(closed)).toBe(false);
      server.close();
      await closed;
      await server.waitClosed();
    });
  });

  describe('closeClients', () => {
    it('closes every accepted connection after flushing what it wrote', async () => {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const client = await connect(port);
      const serverSide = await accepted;
      const payload = patternBytes(4 * MiB);
      const received = collect(client.data$);
      serverSide.write(payload);
      server.closeClients();
      expect(serverSide.isClosing()).toBe(true);
      expect(server.isServing()).toBe(true);
      const data = await received;
      expect(sha256(data)).toBe(sha256(payload));
      expect(await closedValue(serverSide)).toBeNull();
      server.close();
      await server.waitClosed();
    });
  });

  describe('abortClients', () => {
    it('aborts every accepted connection, dropping what it had buffered', async () => {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const client = await connect(port);
      const serverSide = await accepted;
      const data = record(client.data$);
      const total = 32 * MiB;
      serverSide.write(patternBytes(total));
      server.abortClients();
      expect(serverSide.isClosing()).toBe(true);
      expect(serverSide.getWriteBufferSize()).toBe(0);
      expect(await closedValue(serverSide)).toBeNull();
      await waitFor(() => data.ended !== null, 'the client to see the end');
      expect(data.bytes().byteLength).toBeLessThan(total);
      server.close();
      await server.waitClosed();
    });
  });

  describe('errors', () => {
    it('rejects with TransportOSError EADDRINUSE for a port in use', async () => {
      const { port } = await startServer(resources);
      const handles = netHandleCount();
      const error = await rejectionOf(createServer({ host: HOST, port }));
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen' });
      expect(types.isNativeError((error as Error).cause)).toBe(true);
      await turns(2);
      expect(netHandleCount()).toBeLessThanOrEqual(handles);
    });

    it('rejects reuseAddress: false with UnsupportedError (Node always sets SO_REUSEADDR)', async () => {
      const port = await unusedPort();
      const error = await rejectionOf(createServer({ host: HOST, port, reuseAddress: false }));
      expect(error).toBeInstanceOf(UnsupportedError);
      expect(error).toHaveProperty('code', 'ERR_UNSUPPORTED');
    });
  });

  describe('validation', () => {
    const cases: [string, string, string, unknown][] = [
      ['options undefined', 'TypeError', 'ERR_INVALID_ARG_TYPE', undefined],
      ['options null', 'TypeError', 'ERR_INVALID_ARG_TYPE', null],
      ['options a number', 'TypeError', 'ERR_INVALID_ARG_TYPE', 8080],
      ['a missing port', 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: HOST }],
      ['port -1', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: -1 }],
      ['port 70000', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 70000 }],
      ['port 1.5', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 1.5 }],
      ["port '80'", 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: HOST, port: '80' }],
      ['a numeric host', 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: 127, port: 0 }],
      ['backlog -1', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 0, backlog: -1 }],
      ["backlog '5'", 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: HOST, port: 0, backlog: '5' }],
      [
        'a non-boolean reuseAddress',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { host: HOST, port: 0, reuseAddress: 1 },
      ],
      [
        'a protocol object',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { host: HOST, port: 0, protocol: {} },
      ],
    ];

    it.each(cases)(
      'rejects %s with %s %s and opens nothing',
      async (_name, type, code, options) => {
        const handles = netHandleCount();
        const error = await rejectionOf(createServer(options as never));
        expect((error as Error).constructor.name).toBe(type);
        expect(error).toHaveProperty('code', code);
        await turns(2);
        expect(netHandleCount()).toBeLessThanOrEqual(handles);
      },
    );
  });
});
