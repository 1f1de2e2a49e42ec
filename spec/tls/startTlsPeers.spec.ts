/**
 * startTls against python3 asyncio's `loop.start_tls` (both roles), and the transports it
 * refuses with a `TypeError` [T25]: anything but an open TCP or Unix socket transport.
 */
import { PassThrough } from 'node:stream';
import {
  ConnectionAbortedError,
  connectWritePipe,
  createConnection,
  createDatagramEndpoint,
  createServer,
  startTls,
  subprocessExec,
  type SocketTransport,
} from '../../src/index';
import { transportPair } from '../../src/testing/index';
import { MiB, patternBytes, sha256 } from '../helpers/bytes';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { rejectionOf } from '../helpers/outcomes';
import { trackPipe, trackProcess } from '../helpers/process';
import { useResources } from '../helpers/resources';
import { HOST, inetAddressOf } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { describeTls, useTlsCerts } from '../helpers/tlsCerts';
import { HAVE_PYTHON_SSL, runPeer, startPeer } from '../helpers/tlsPeers';
import { join } from 'node:path';

const PEER = join(__dirname, '..', 'fixtures', 'asyncio_starttls_peer.py');
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describeTls('startTls peers and refusals', () => {
  const certs = useTlsCerts();
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  /** Resolves with the first `n` bytes `data$` carries. */
  function readBytes(transport: SocketTransport, n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      const sub = transport.data$.subscribe({
        next: (chunk) => {
          chunks.push(chunk);
          size += chunk.byteLength;
          if (size < n) return;
          sub.unsubscribe();
          resolve(Buffer.concat(chunks));
        },
        error: reject,
      });
    });
  }

  const describePython = HAVE_PYTHON_SSL ? describe : describe.skip;

  describePython('python3 asyncio loop.start_tls', () => {
    it('upgrades against an asyncio server and echoes 2 MiB by hash', async () => {
      const peer = startPeer(resources, 'python3', [PEER, 'server', certs.dir]);
      const port = Number((await peer.waitFor(/PORT (\d+)/))[1]);
      const plain = resources.transport(await createConnection({ host: HOST, port }));
      const ok = readBytes(plain, 3);
      plain.write(Buffer.from('STARTTLS\n'));
      expect(text(await ok)).toBe('OK\n');
      const secure = resources.transport(
        await startTls(plain, { ca: certs.ca }, { serverHostname: 'localhost' }),
      );
      const payload = patternBytes(2 * MiB, 3);
      const echoed = readBytes(secure, payload.byteLength);
      secure.write(payload);
      expect(sha256(new Uint8Array(await echoed))).toBe(sha256(payload));
      secure.close();
      expect(await closedValue(secure)).toBeNull();
    });

    it('serves an asyncio client that upgrades with loop.start_tls', async () => {
      const server = resources.server(await createServer({ host: HOST, port: 0 }));
      server.connections$.subscribe((transport) => {
        const sub = transport.data$.subscribe((chunk) => {
          if (text(chunk) !== 'STARTTLS\n') return;
          sub.unsubscribe();
          transport.write(Buffer.from('OK\n'));
          const ssl = { cert: certs.serverCert, key: certs.serverKey };
          void startTls(transport, ssl, { serverSide: true }).then((secure) => {
            resources.transport(secure);
            secure.data$.subscribe(secure.sink);
          });
        });
      });
      const port = String(inetAddressOf(server).port);
      const output = await runPeer(resources, 'python3', [
        PEER,
        'client',
        certs.dir,
        port,
        '1048576',
      ]);
      const result = JSON.parse(output.trim()) as Record<string, unknown>;
      expect(result['received']).toBe(result['sent']);
      expect(result['version']).toBe('TLSv1.3');
    });
  });

  it('rejects with ConnectionAbortedError when the peer never answers the ClientHello', async () => {
    const server = resources.server(await createServer({ host: HOST, port: 0 }));
    server.connections$.subscribe((transport) => {
      transport.data$.subscribe(() => undefined); // reads and never answers
    });
    const port = inetAddressOf(server).port;
    const plain = resources.transport(await createConnection({ host: HOST, port }));
    const error = await rejectionOf(
      startTls(plain, { ca: certs.ca }, { serverHostname: 'localhost', sslHandshakeTimeout: 200 }),
    );
    expect(error).toBeInstanceOf(ConnectionAbortedError);
    expect((error as ConnectionAbortedError).code).toBe('ECONNABORTED');
    expect(await closedValue(plain)).toBeNull();
  });

  describe('refusals', () => {
    const ssl = { ca: 'unused' };

    function expectTypeError(error: unknown): void {
      expect(error).toBeInstanceOf(TypeError);
      expect((error as { code?: unknown }).code).toBe('ERR_INVALID_ARG_TYPE');
    }

    it.each([null, undefined, 42, 'socket', {}])('refuses %p', async (value) => {
      expectTypeError(await rejectionOf(startTls(value as never, ssl)));
    });

    it('refuses a pipe, a subprocess and a datagram endpoint', async () => {
      const pipe = trackPipe(resources, await connectWritePipe(new PassThrough()));
      expectTypeError(await rejectionOf(startTls(pipe as never, ssl)));
      const child = trackProcess(resources, await subprocessExec('cat'));
      expectTypeError(await rejectionOf(startTls(child as never, ssl)));
      const endpoint = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      resources.defer(() => {
        endpoint.close();
      });
      expectTypeError(await rejectionOf(startTls(endpoint as never, ssl)));
    });

    it('refuses a test transport and leaves it open', async () => {
      const [a, b] = transportPair();
      expectTypeError(await rejectionOf(startTls(a, ssl)));
      expect(a.isClosing()).toBe(false);
      a.write(Buffer.from('still'));
      expect(text(await readBytes(b, 5))).toBe('still');
      a.close();
      b.close();
    });

    it('refuses a TLS transport (no TLS in TLS) and leaves it open', async () => {
      const tlsServer = resources.server(
        await createServer({
          host: HOST,
          port: 0,
          ssl: { cert: certs.serverCert, key: certs.serverKey },
        }),
      );
      tlsServer.connections$.subscribe((t) => t.data$.subscribe(t.sink));
      const port = inetAddressOf(tlsServer).port;
      const secure = resources.transport(
        await createConnection({ host: 'localhost', port, ssl: { ca: certs.ca } }),
      );
      expectTypeError(await rejectionOf(startTls(secure, { ca: certs.ca })));
      const echoed = readBytes(secure, 2);
      secure.write(Buffer.from('ok'));
      expect(text(await echoed)).toBe('ok');
    });

    it('refuses ssl missing with a TypeError before touching the transport', async () => {
      const [a, b] = transportPair();
      expectTypeError(await rejectionOf(startTls(a, undefined as never)));
      expect(a.isClosing()).toBe(false);
      a.close();
      b.close();
    });
  });
});
