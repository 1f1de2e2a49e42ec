/**
 * createUnixServer over real Unix-domain sockets: binding (and stale socket files), echo,
 * lifecycle, and the socket file's removal on close.
 */
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createUnixConnection,
  createUnixServer,
  TransportOSError,
  type SocketTransport,
} from '../../src/index';
import { patternBytes, sha256, utf8, writeChunked } from '../helpers/bytes';
import { MiB } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { makeStaleSocketFile, netHandleCount, tmpSocketPath } from '../helpers/sockets';
import { closedValue, collect } from '../helpers/streams';
import { settlesSoon, turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

describe('createUnixServer', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const reports = useExceptionReports();

  async function connect(path: string): Promise<SocketTransport> {
    return resources.transport(await createUnixConnection({ path }));
  }

  it('listens on the path and reports it as its address', async () => {
    const path = resources.path(tmpSocketPath());
    const server = resources.server(await createUnixServer({ path }));
    expect(server.address()).toEqual({ path });
    expect(server.addresses()).toEqual([{ path }]);
    expect(server.isServing()).toBe(true);
    expect(lstatSync(path).isSocket()).toBe(true);
  });

  it('echoes 4 MiB through Protocol objects on the server side', async () => {
    const path = resources.path(tmpSocketPath());
    const lost: (Error | null)[] = [];
    resources.server(
      await createUnixServer({
        path,
        protocol: () => {
          let transport: SocketTransport | null = null;
          return {
            connectionMade: (t) => (transport = t),
            dataReceived: (data) => transport?.write(data),
            connectionLost: (exc) => lost.push(exc),
          };
        },
      }),
    );
    const client = await connect(path);
    const payload = patternBytes(4 * MiB);
    const echoed = collect(client.data$);
    writeChunked((chunk) => {
      client.write(chunk);
    }, payload);
    client.writeEof();
    expect(sha256(await echoed)).toBe(sha256(payload));
    expect(await closedValue(client)).toBeNull();
    await waitFor(() => lost.length === 1, 'the server side to close');
    expect(lost).toEqual([null]);
  });

  it('removes a stale socket file before binding, as asyncio does', async () => {
    const path = resources.path(tmpSocketPath());
    makeStaleSocketFile(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    const server = resources.server(await createUnixServer({ path }));
    server.connections$.subscribe((client) => {
      client.data$.subscribe(client.sink);
    });
    const client = await connect(path);
    const echoed = collect(client.data$);
    client.write(utf8('fresh'));
    client.writeEof();
    expect((await echoed).toString()).toBe('fresh');
  });

  it('leaves a file that is not a socket alone and rejects with EADDRINUSE', async () => {
    const path = resources.path(tmpSocketPath());
    writeFileSync(path, 'precious');
    const handles = netHandleCount();
    const error = await rejectionOf(createUnixServer({ path }));
    expect(error).toBeInstanceOf(TransportOSError);
    expect(error).toHaveProperty('code', 'EADDRINUSE');
    expect(readFileSync(path, 'utf8')).toBe('precious');
    await turns(2);
    expect(netHandleCount()).toBeLessThanOrEqual(handles);
  });

  describe('close', () => {
    it('removes the socket file and keeps accepted connections open', async () => {
      const path = resources.path(tmpSocketPath());
      const server = resources.server(await createUnixServer({ path }));
      const clients: SocketTransport[] = [];
      server.connections$.subscribe((client) => {
        clients.push(client);
        client.data$.subscribe(client.sink);
      });
      const client = await connect(path);
      await waitFor(() => clients.length === 1, 'the connection');
      server.close();
      expect(server.isServing()).toBe(false);
      expect(existsSync(path)).toBe(false);
      expect(clients[0]!.isClosing()).toBe(false);

      const closed = server.waitClosed();
      expect(await settlesSoon(closed)).toBe(false);
      const echoed = collect(client.data$);
      client.write(utf8('after close'));
      client.writeEof();
      expect((await echoed).toString()).toBe('after close');
      await closed;
      expect(reports.take()).toEqual([]);
    });

    it('lets a new server bind the same path afterwards', async () => {
      const path = resources.path(tmpSocketPath());
      const first = await createUnixServer({ path });
      first.close();
      await first.waitClosed();
      const second = resources.server(await createUnixServer({ path }));
      expect(second.address()).toEqual({ path });
      const client = await connect(path);
      expect(client.getExtraInfo('peername')).toEqual({ path });
    });
  });

  describe('two servers on one path', () => {
    it("closing the older one leaves the newer one's socket file, as asyncio 3.13 does", async () => {
      const path = resources.path(tmpSocketPath());
      const older = resources.server(await createUnixServer({ path }));
      // The newer server replaces the older one's socket file (a stale file to asyncio too).
      const newer = resources.server(await createUnixServer({ path }));
      const bound = lstatSync(path);
      older.close();
      await older.waitClosed();
      expect(existsSync(path)).toBe(true);
      expect(lstatSync(path).ino).toBe(bound.ino);
      const accepted = new Promise<SocketTransport>((resolve) => {
        newer.connections$.subscribe(resolve);
      });
      const client = await connect(path);
      expect(client.getExtraInfo('peername')).toEqual({ path });
      resources.transport(await accepted);
      // The newer one still removes its own file.
      newer.close();
      expect(existsSync(path)).toBe(false);
    });

    it('leaves what replaced its socket file after binding (another file at the path)', async () => {
      const path = resources.path(tmpSocketPath());
      const server = resources.server(await createUnixServer({ path }));
      unlinkSync(path);
      writeFileSync(path, 'not ours');
      server.close();
      expect(readFileSync(path, 'utf8')).toBe('not ours');
    });
  });

  it('bound at a relative path, removes its own file even after a chdir, and nothing else', async () => {
    const home = mkdtempSync(join(tmpdir(), 'rxt-unix-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'rxt-unix-'));
    const cwd = process.cwd();
    resources.defer(() => {
      process.chdir(cwd);
      rmSync(home, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    });
    writeFileSync(join(elsewhere, 's.sock'), 'unrelated');
    process.chdir(home);
    const server = resources.server(await createUnixServer({ path: 's.sock' }));
    process.chdir(elsewhere);
    server.close();
    process.chdir(cwd);
    expect(existsSync(join(home, 's.sock'))).toBe(false);
    expect(readFileSync(join(elsewhere, 's.sock'), 'utf8')).toBe('unrelated');
  });

  describe('validation', () => {
    const cases: [string, string, string, unknown][] = [
      ['options undefined', 'TypeError', 'ERR_INVALID_ARG_TYPE', undefined],
      ['options null', 'TypeError', 'ERR_INVALID_ARG_TYPE', null],
      ['a missing path', 'TypeError', 'ERR_INVALID_ARG_TYPE', {}],
      ['a numeric path', 'TypeError', 'ERR_INVALID_ARG_TYPE', { path: 42 }],
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
        const error = await rejectionOf(createUnixServer(options as never));
        expect((error as Error).constructor.name).toBe(type);
        expect(error).toHaveProperty('code', code);
        await turns(2);
        expect(netHandleCount()).toBeLessThanOrEqual(handles);
      },
    );
  });
});
