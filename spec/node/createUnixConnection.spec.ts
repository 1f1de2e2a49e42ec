/**
 * createUnixConnection over real Unix-domain sockets under the OS temporary directory.
 */
import { writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { types } from 'node:util';
import {
  ConnectionRefusedError,
  createUnixConnection,
  createUnixServer,
  TransportOSError,
  type Protocol,
  type Server,
  type SocketTransport,
} from '../../src/index';
import { patternBytes, sha256, utf8, writeChunked } from '../helpers/bytes';
import { MiB } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { nextConnection } from '../helpers/servers';
import { makeStaleSocketFile, netHandleCount, tmpSocketPath } from '../helpers/sockets';
import { closedValue, collect } from '../helpers/streams';
import { turns } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';

describe('createUnixConnection', () => {
  const resources = useResources();
  useLeakCheck(resources);

  async function startUnixEchoServer(): Promise<{ server: Server; path: string }> {
    const path = resources.path(tmpSocketPath());
    const server = resources.server(await createUnixServer({ path }));
    server.connections$.subscribe((client) => {
      client.data$.subscribe(client.sink);
    });
    return { server, path };
  }

  async function connect(path: string): Promise<SocketTransport> {
    return resources.transport(await createUnixConnection({ path }));
  }

  it('echoes 4 MiB through a Unix server, checked by digest', async () => {
    const { path } = await startUnixEchoServer();
    const client = await connect(path);
    const payload = patternBytes(4 * MiB);
    const echoed = collect(client.data$);
    writeChunked((chunk) => {
      client.write(chunk);
    }, payload);
    client.writeEof();
    expect(sha256(await echoed)).toBe(sha256(payload));
    expect(await closedValue(client)).toBeNull();
  });

  it('drives a protocol from the factory', async () => {
    const { path } = await startUnixEchoServer();
    const events: string[] = [];
    let transport: SocketTransport | null = null;
    const protocol: Protocol<SocketTransport> = {
      connectionMade: (t) => {
        transport = t;
        events.push('made');
      },
      dataReceived: (data) => events.push(Buffer.from(data).toString()),
      eofReceived: () => {
        events.push('eof');
      },
      connectionLost: (exc) => events.push(`lost:${String(exc)}`),
    };
    const client = resources.transport(
      await createUnixConnection({ path, protocol: () => protocol }),
    );
    expect(transport).toBe(client);
    client.write(utf8('unix'));
    client.writeEof();
    expect(await closedValue(client)).toBeNull();
    expect(events).toEqual(['made', 'unix', 'eof', 'lost:null']);
  });

  describe('getExtraInfo', () => {
    it("gives peername { path } and sockname { path: '' }, and the net.Socket", async () => {
      const { server, path } = await startUnixEchoServer();
      const accepted = nextConnection(server);
      const client = await connect(path);
      expect(client.getExtraInfo('peername')).toEqual({ path });
      expect(client.getExtraInfo('sockname')).toEqual({ path: '' });
      expect(client.getExtraInfo('socket')).toBeInstanceOf(net.Socket);
      expect(client.getExtraInfo('nonexistent', 42)).toBe(42);
      // The accepted end: its own name is the path, its peer is unnamed.
      const serverSide = await accepted;
      expect(serverSide.getExtraInfo('sockname')).toEqual({ path });
      expect(serverSide.getExtraInfo('peername')).toEqual({ path: '' });
      expect(serverSide.getExtraInfo('socket')).toBeInstanceOf(net.Socket);
    });
  });

  describe('errors', () => {
    it('rejects with TransportOSError ENOENT when nothing is at the path', async () => {
      const handles = netHandleCount();
      const error = await rejectionOf(createUnixConnection({ path: tmpSocketPath() }));
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toMatchObject({ code: 'ENOENT', syscall: 'connect' });
      expect(types.isNativeError((error as Error).cause)).toBe(true);
      await turns(2);
      expect(netHandleCount()).toBeLessThanOrEqual(handles);
    });

    it('rejects with ConnectionRefusedError for a stale socket file', async () => {
      const path = resources.path(tmpSocketPath());
      makeStaleSocketFile(path);
      const error = await rejectionOf(createUnixConnection({ path }));
      expect(error).toBeInstanceOf(ConnectionRefusedError);
      expect(error).toHaveProperty('code', 'ECONNREFUSED');
    });

    it('rejects with a TransportOSError for a path that is not a socket', async () => {
      const path = resources.path(tmpSocketPath());
      writeFileSync(path, 'not a socket');
      const error = await rejectionOf(createUnixConnection({ path }));
      expect(error).toBeInstanceOf(TransportOSError);
      expect((error as TransportOSError).code).toMatch(/^E[A-Z]+$/);
    });
  });

  describe('validation', () => {
    const cases: [string, string, string, unknown][] = [
      ['options undefined', 'TypeError', 'ERR_INVALID_ARG_TYPE', undefined],
      ['options a string', 'TypeError', 'ERR_INVALID_ARG_TYPE', '/tmp/x.sock'],
      ['a missing path', 'TypeError', 'ERR_INVALID_ARG_TYPE', {}],
      ['a numeric path', 'TypeError', 'ERR_INVALID_ARG_TYPE', { path: 3 }],
      ['an empty path', 'TypeError', 'ERR_INVALID_ARG_VALUE', { path: '' }],
      [
        'a protocol object',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { path: tmpSocketPath(), protocol: {} },
      ],
    ];

    it.each(cases)(
      'rejects %s with %s %s and opens nothing',
      async (_name, type, code, options) => {
        const handles = netHandleCount();
        const error = await rejectionOf(createUnixConnection(options as never));
        expect((error as Error).constructor.name).toBe(type);
        expect(error).toHaveProperty('code', code);
        await turns(2);
        expect(netHandleCount()).toBeLessThanOrEqual(handles);
      },
    );
  });
});
