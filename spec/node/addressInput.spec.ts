/**
 * Addresses and paths the OS would mangle, given to the node factories over real sockets: each
 * is refused with a typed error before any socket exists, or works exactly as given; none is
 * silently changed (a NUL byte cutting a host or path short, a Unix path longer than sun_path
 * truncated into another file). Lookup failures stay `TransportOSError`s, as asyncio's
 * `gaierror`.
 */
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TransportOSError,
  createConnection,
  createDatagramEndpoint,
  createServer,
  createUnixConnection,
  createUnixServer,
  type Server,
  type SocketTransport,
} from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { HOST, collect, rejectionOf, startEchoServer, useResources } from '../helpers/net';
import { useLeakCheck } from '../helpers/leaks';

const isTypeErrorWith = (code: string) => ({ name: 'TypeError', code });

describe('addresses and paths the OS would mangle', () => {
  const resources = useResources();
  useLeakCheck(resources);
  let dir = '';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxt-a-'));
    resources.defer(() => {
      rmSync(dir, { recursive: true, force: true });
    });
  });

  /** A path in `dir` of exactly `bytes` bytes (UTF-8), its name made of `fill`. */
  function pathOfBytes(bytes: number, fill = 's'): string {
    const prefix = `${dir}/`;
    const room = bytes - Buffer.byteLength(prefix);
    return prefix + fill.repeat(Math.floor(room / Buffer.byteLength(fill)));
  }

  async function expectRefused(call: () => Promise<unknown>, code = 'ERR_INVALID_ARG_VALUE') {
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject(isTypeErrorWith(code));
    return error;
  }

  async function echoOver(server: Server, connect: () => Promise<SocketTransport>) {
    resources.server(server);
    server.connections$.subscribe((client) => {
      client.data$.subscribe(client.sink);
    });
    const client = resources.transport(await connect());
    const echoed = collect(client.data$);
    client.write(utf8('ping'));
    client.writeEof();
    expect((await echoed).toString()).toBe('ping');
    return client;
  }

  describe('Unix paths', () => {
    it.each([
      ['a NUL byte inside', () => `${dir}/a\0b`],
      ['more than 107 bytes (ASCII)', () => pathOfBytes(120)],
      ['108 bytes (no room for the terminating NUL)', () => pathOfBytes(108)],
      ['more than 107 bytes (multi-byte UTF-8, fewer characters)', () => pathOfBytes(125, 'é')],
    ])('refuses %s for servers and connections, and creates no file', async (_, make) => {
      const path = make();
      await expectRefused(() => createUnixServer({ path }));
      await expectRefused(() => createUnixConnection({ path }));
      // Nothing was bound at a truncated name either.
      expect(readdirSync(dir)).toEqual([]);
    });

    it('takes a path of exactly 107 bytes, bound under that very name', async () => {
      const path = pathOfBytes(107);
      expect(Buffer.byteLength(path)).toBe(107);
      const server = await createUnixServer({ path });
      expect(lstatSync(path).isSocket()).toBe(true);
      expect(readdirSync(dir)).toHaveLength(1);
      const client = await echoOver(server, () => createUnixConnection({ path }));
      expect(client.getExtraInfo('peername')).toEqual({ path });
    });

    it('takes a Linux abstract name (a leading NUL): no file, echo works, close is clean', async () => {
      const path = `\0rxt-abstract-${process.pid}-${Math.random().toString(36).slice(2)}`;
      const server = await createUnixServer({ path });
      expect(server.address()).toEqual({ path });
      const client = await echoOver(server, () => createUnixConnection({ path }));
      expect(client.getExtraInfo('peername')).toEqual({ path });
      server.close();
      await server.waitClosed();
      expect(existsSync(path.slice(1))).toBe(false);
      // The name is free again once the server closed.
      const again = resources.server(await createUnixServer({ path }));
      expect(again.address()).toEqual({ path });
    });
  });

  describe('hosts', () => {
    it('refuses a host with a NUL byte (getaddrinfo would read only what is before it)', async () => {
      const { port } = await startEchoServer(resources);
      await expectRefused(() => createConnection({ host: `${HOST}\0.example`, port }));
      await expectRefused(() => createServer({ host: `${HOST}\0`, port: 0 }));
      await expectRefused(() =>
        createConnection({ host: HOST, port, localAddr: { host: `${HOST}\0` } }),
      );
      await expectRefused(() =>
        createDatagramEndpoint({ localAddr: { host: `${HOST}\0`, port: 0 } }),
      );
      await expectRefused(() =>
        createDatagramEndpoint({ remoteAddr: { host: `${HOST}\0`, port } }),
      );
    });

    it('refuses an empty host for a connection (Node would take it as localhost)', async () => {
      const { port } = await startEchoServer(resources);
      await expectRefused(() => createConnection({ host: '', port }));
    });

    it('refuses a localAddr host that is not an IP address, with its own TypeError', async () => {
      const { port } = await startEchoServer(resources);
      for (const host of ['localhost', 'a b', '']) {
        await expectRefused(() => createConnection({ host: HOST, port, localAddr: { host } }));
      }
    });

    it.each(['local host', 'localhost.invalid.', '[::1]', `${HOST}:80`])(
      'reports %j as a lookup failure (TransportOSError), as asyncio does',
      async (host) => {
        const error = await rejectionOf(createConnection({ host, port: 9 }));
        expect(error).toBeInstanceOf(TransportOSError);
        expect(error).toMatchObject({ code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/) });
      },
    );

    it('refuses ports given as strings', async () => {
      await expectRefused(
        () => createConnection({ host: HOST, port: '80' as never }),
        'ERR_INVALID_ARG_TYPE',
      );
      await expectRefused(
        () => createServer({ host: HOST, port: '0' as never }),
        'ERR_INVALID_ARG_TYPE',
      );
    });

    it('connects to an IPv4-mapped IPv6 address as given, and reports it so', async () => {
      const { port } = await startEchoServer(resources);
      const client = resources.transport(
        await createConnection({ host: '::ffff:127.0.0.1', port }),
      );
      expect(client.getExtraInfo('peername')).toEqual({
        host: '::ffff:127.0.0.1',
        port,
        family: 'IPv6',
      });
    });

    it('refuses an IPv6 zone id naming no interface, on every Node version', async () => {
      // Node 20 failed it at once (EINVAL); Node 22 and later hand it to DNS, which may never answer.
      await expectRefused(() => createConnection({ host: 'fe80::1%rxt-none', port: 9 }));
    });

    it('takes an IPv6 zone naming an interface of this machine, and leaves the rest to the OS', async () => {
      const error = await rejectionOf(createConnection({ host: 'fe80::1%lo', port: 9 }));
      expect(error).toBeInstanceOf(TransportOSError);
    });
  });
});
