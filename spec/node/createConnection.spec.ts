/**
 * createConnection over real loopback sockets: the client side of a TCP transport, its write
 * and read paths, half-close, flow control and error mapping.
 */
import * as net from 'node:net';
import { types } from 'node:util';
import {
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  createConnection,
  TransportClosedError,
  TransportError,
  TransportOSError,
  type SocketTransport,
} from '../../src/index';
import { patternBytes } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { nextConnection, startEchoServer, startServer } from '../helpers/servers';
import { HOST, netHandleCount, unusedPort } from '../helpers/sockets';
import { closedValue, record } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

describe('createConnection', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const reports = useExceptionReports();

  async function connect(port: number): Promise<SocketTransport> {
    return resources.transport(await createConnection({ host: HOST, port }));
  }

  it('resolves to an open transport that is reading and writable', async () => {
    const { port } = await startEchoServer(resources);
    const client = await connect(port);
    expect(client.isClosing()).toBe(false);
    expect(client.isReading()).toBe(true);
    expect(client.canWriteEof()).toBe(true);
    expect(client.getWriteBufferSize()).toBe(0);
    expect(client.getWriteBufferLimits()).toEqual([16 * KiB, 64 * KiB]);
    const writable: boolean[] = [];
    client.writable$.subscribe((value) => writable.push(value));
    expect(writable).toEqual([true]);
  });

  it('binds the local address given as localAddr', async () => {
    const { port } = await startEchoServer(resources);
    const client = resources.transport(
      await createConnection({ host: HOST, port, localAddr: { host: HOST } }),
    );
    expect(client.getExtraInfo('sockname')).toEqual(
      expect.objectContaining({ host: HOST, family: 'IPv4' }),
    );
  });

  describe('errors', () => {
    it('rejects with ConnectionRefusedError when nothing listens', async () => {
      const port = await unusedPort();
      const handles = netHandleCount();
      const error = await rejectionOf(createConnection({ host: HOST, port }));
      expect(error).toBeInstanceOf(ConnectionRefusedError);
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({
        name: 'ConnectionRefusedError',
        code: 'ECONNREFUSED',
        syscall: 'connect',
        errno: expect.any(Number) as unknown,
      });
      const cause = (error as Error).cause;
      // Node's own error (from Node's realm: not `instanceof` the test's Error under jest).
      expect(types.isNativeError(cause)).toBe(true);
      expect(cause).toHaveProperty('code', 'ECONNREFUSED');
      await turns(3);
      expect(netHandleCount()).toBeLessThanOrEqual(handles);
    });

    it('reports a peer reset during writes on closed$ and data$, with nothing uncaught', async () => {
      const raw = await startRawServer(resources, (socket) => {
        socket.once('data', () => {
          socket.resetAndDestroy();
        });
      });
      const client = await connect(raw.port);
      const data = record(client.data$);
      const closed = closedValue(client);
      const chunk = patternBytes(64 * KiB);
      let written = 0;
      // Keep writing, a chunk per turn, until the transport learns of the reset.
      while (!client.isClosing()) {
        client.write(chunk);
        written += chunk.byteLength;
        if (written > 1024 * MiB) throw new Error('the reset was never noticed');
        await turns(1);
      }
      const error = await closed;
      expect(error).toBeInstanceOf(TransportOSError);
      expect([ConnectionResetError, BrokenPipeError]).toContain(error?.constructor);
      expect(['ECONNRESET', 'EPIPE']).toContain((error as TransportOSError).code);
      expect((error as TransportOSError).cause).toHaveProperty(
        'code',
        (error as TransportOSError).code,
      );
      await waitFor(() => data.ended !== null, 'data$ to end');
      expect(data.ended).toBe('error');
      expect(data.error).toBe(error);
      expect(() => {
        client.write(chunk);
      }).toThrow(TransportClosedError);
      // OS errors are not the exception handler's business [E1]. (Anything uncaught would fail
      // this test by itself: jest-circus fails the running test on an uncaught exception or an
      // unhandled rejection. A process.on('uncaughtException') spy would never fire here, since
      // test files get a sandboxed `process` whose events jest does not forward.)
      expect(reports.take()).toEqual([]);
    });
  });

  describe('getExtraInfo', () => {
    it('gives peername and sockname as { host, port, family } and the net.Socket', async () => {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const client = await connect(port);
      const serverSide = await accepted;
      const peername = client.getExtraInfo('peername');
      const sockname = client.getExtraInfo('sockname');
      expect(peername).toEqual({ host: HOST, port, family: 'IPv4' });
      expect(sockname).toEqual({ host: HOST, port: expect.any(Number) as unknown, family: 'IPv4' });
      expect(serverSide.getExtraInfo('peername')).toEqual(sockname);
      expect(serverSide.getExtraInfo('sockname')).toEqual(peername);
      const socket = client.getExtraInfo('socket');
      expect(socket).toBeInstanceOf(net.Socket);
      expect((socket as net.Socket).remotePort).toBe(port);
    });

    it('gives the default for an unknown name', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      expect(client.getExtraInfo('nonexistent')).toBeUndefined();
      expect(client.getExtraInfo('nonexistent', 'fallback')).toBe('fallback');
      expect(client.getExtraInfo('toString', 'own keys only')).toBe('own keys only');
    });
  });

  describe('validation', () => {
    const protocol = () => ({});
    const cases: [string, string, string, unknown][] = [
      ['options undefined', 'TypeError', 'ERR_INVALID_ARG_TYPE', undefined],
      ['options null', 'TypeError', 'ERR_INVALID_ARG_TYPE', null],
      ['options a string', 'TypeError', 'ERR_INVALID_ARG_TYPE', 'localhost:80'],
      ['options an array', 'TypeError', 'ERR_INVALID_ARG_TYPE', [HOST, 80]],
      ['a missing host', 'TypeError', 'ERR_INVALID_ARG_TYPE', { port: 80 }],
      ['a numeric host', 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: 127, port: 80 }],
      ['a missing port', 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: HOST }],
      ['port -1', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: -1 }],
      ['port 0', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 0 }],
      ['port 70000', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 70000 }],
      ['port 1.5', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 1.5 }],
      ['port NaN', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: NaN }],
      ["port '80'", 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: HOST, port: '80' }],
      [
        'a protocol object',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { host: HOST, port: 80, protocol: {} },
      ],
      [
        'a non-boolean noDelay',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { host: HOST, port: 80, noDelay: 1 },
      ],
      [
        'a string localAddr',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { host: HOST, port: 80, localAddr: HOST },
      ],
      [
        'localAddr port -1',
        'RangeError',
        'ERR_OUT_OF_RANGE',
        { host: HOST, port: 80, localAddr: { host: HOST, port: -1 } },
      ],
      // Node 22 and later throw this from net.connect themselves, after the socket took a handle.
      ['a host with a null byte', 'TypeError', 'ERR_INVALID_ARG_VALUE', { host: '\0', port: 80 }],
      [
        'a localAddr host with a null byte',
        'TypeError',
        'ERR_INVALID_ARG_VALUE',
        { host: HOST, port: 80, localAddr: { host: 'local\0host' } },
      ],
      // Refused before any socket exists (socket.connect() would throw ERR_INVALID_IP_ADDRESS).
      [
        'a localAddr host that is not an IP address',
        'TypeError',
        'ERR_INVALID_ARG_VALUE',
        { host: HOST, port: 80, localAddr: { host: 'localhost' } },
      ],
    ];

    it.each(cases)(
      'rejects %s with %s %s and opens nothing',
      async (_name, type, code, options) => {
        const handles = netHandleCount();
        const error = await rejectionOf(createConnection(options as never));
        expect((error as Error).constructor.name).toBe(type);
        expect(error).toHaveProperty('code', code);
        await turns(2);
        expect(netHandleCount()).toBeLessThanOrEqual(handles);
      },
    );

    it('accepts a valid protocol factory', async () => {
      const { port } = await startEchoServer(resources);
      const client = resources.transport(await createConnection({ host: HOST, port, protocol }));
      expect(client.isClosing()).toBe(false);
    });
  });
});
