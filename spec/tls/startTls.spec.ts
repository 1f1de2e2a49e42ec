/**
 * startTls (asyncio `loop.start_tls`) on real loopback sockets: STARTTLS on a line protocol
 * with both sides rxtransport, what was written before the call going out first in clear, bytes
 * received but not delivered reaching the TLS layer, the old transport's fate, the transports
 * that are refused, and a failed handshake leaving nothing behind.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom, filter } from 'rxjs';
import {
  createConnection,
  createServer,
  createUnixConnection,
  createUnixServer,
  SSLCertVerificationError,
  startTls,
  TransportClosedError,
  type BufferedProtocol,
  type SocketTransport,
} from '../../src/index';
import { MiB, patternBytes, sha256 } from '../helpers/bytes';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { rejectionOf, thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { HOST, inetAddressOf, tmpSocketPath } from '../helpers/sockets';
import { closedValue, record } from '../helpers/streams';
import { describeTls, useTlsCerts } from '../helpers/tlsCerts';
import { waitFor } from '../helpers/waits';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describeTls('startTls', () => {
  const certs = useTlsCerts();
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  const serverSsl = (): Record<string, unknown> => ({
    cert: certs.serverCert,
    key: certs.serverKey,
  });

  /** Reads `data$` until `n` bytes arrived (without ending it). */
  async function readBytes(transport: SocketTransport, n: number): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    await firstValueFrom(
      transport.data$.pipe(
        filter((chunk) => {
          chunks.push(chunk);
          size += chunk.byteLength;
          return size >= n;
        }),
      ),
    );
    return Buffer.concat(chunks);
  }

  /**
   * A line server: on 'STARTTLS\n' it writes 'OK\n' and `banner` in clear, upgrades, and echoes
   * over TLS. Resolves with its port and the upgraded transports.
   */
  async function starttlsServer(
    banner: Uint8Array = new Uint8Array(0),
    sslHandshakeTimeout?: number,
  ) {
    const server = resources.server(await createServer({ host: HOST, port: 0 }));
    const upgraded: SocketTransport[] = [];
    const old: SocketTransport[] = [];
    const failures: unknown[] = [];
    server.connections$.subscribe((transport) => {
      old.push(transport);
      const sub = transport.data$.subscribe((chunk) => {
        if (text(chunk) !== 'STARTTLS\n') return;
        sub.unsubscribe();
        transport.write(Buffer.from('OK\n'));
        if (banner.byteLength > 0) transport.write(banner);
        void startTls(transport, serverSsl(), { serverSide: true, sslHandshakeTimeout }).then(
          (secure) => {
            resources.transport(secure);
            upgraded.push(secure);
            secure.data$.subscribe(secure.sink);
          },
          (error: unknown) => failures.push(error),
        );
      });
    });
    return { port: inetAddressOf(server).port, upgraded, old, failures };
  }

  async function clientUpgrade(
    port: number,
    expectFirst: number,
  ): Promise<{
    plain: SocketTransport;
    first: Buffer;
    secure: SocketTransport;
  }> {
    const plain = resources.transport(await createConnection({ host: HOST, port }));
    const first = readBytes(plain, expectFirst);
    plain.write(Buffer.from('STARTTLS\n'));
    const received = await first;
    const secure = resources.transport(
      await startTls(plain, { ca: certs.ca }, { serverHostname: 'localhost' }),
    );
    return { plain, first: received, secure };
  }

  it('upgrades a line protocol on both sides and echoes 4 MiB by hash over TLS', async () => {
    const { port, upgraded, old } = await starttlsServer();
    const { plain, first, secure } = await clientUpgrade(port, 3);
    expect(text(first)).toBe('OK\n');
    expect(secure).not.toBe(plain);
    expect(secure.getExtraInfo('cipher')).toBeDefined();
    expect(secure.canWriteEof()).toBe(false);
    await waitFor(() => upgraded.length === 1, 'the server upgraded');
    expect(upgraded[0]?.getExtraInfo('peercert')).toBeNull();
    const payload = patternBytes(4 * MiB, 13);
    const echoed = readBytes(secure, payload.byteLength);
    secure.write(payload);
    const got = await echoed;
    expect(got.byteLength).toBe(payload.byteLength);
    expect(sha256(got)).toBe(sha256(payload));
    // Both old transports ended without an error once they handed the socket over.
    expect(await closedValue(plain)).toBeNull();
    expect(await closedValue(old[0] as SocketTransport)).toBeNull();
    secure.close();
    expect(await closedValue(secure)).toBeNull();
  });

  it('sends what was written before the call first, in clear, even past the high mark', async () => {
    const banner = patternBytes(2 * MiB, 5);
    const { port } = await starttlsServer(banner);
    const { first, secure } = await clientUpgrade(port, 3 + banner.byteLength);
    expect(first.byteLength).toBe(3 + banner.byteLength);
    expect(text(first.subarray(0, 3))).toBe('OK\n');
    expect(sha256(new Uint8Array(first.subarray(3)))).toBe(sha256(banner));
    const echoed = readBytes(secure, 5);
    secure.write(Buffer.from('hello'));
    expect(text(await echoed)).toBe('hello');
  });

  it('the old transport refuses writes and delivers nothing more; its closed$ completes', async () => {
    const { port } = await starttlsServer();
    const plain = resources.transport(await createConnection({ host: HOST, port }));
    const first = readBytes(plain, 3);
    plain.write(Buffer.from('STARTTLS\n'));
    await first;
    const recording = record(plain.data$);
    let completed = false;
    plain.closed$.subscribe({
      complete: () => {
        completed = true;
      },
    });
    const pending = startTls(plain, { ca: certs.ca }, { serverHostname: 'localhost' });
    expect(
      thrownBy(() => {
        plain.write(Buffer.from('x'));
      }),
    ).toBeInstanceOf(TransportClosedError);
    expect(plain.isClosing()).toBe(true);
    const secure = resources.transport(await pending);
    expect(recording.ended).toBe('complete');
    expect(recording.chunks).toEqual([]);
    expect(completed).toBe(true);
    expect(
      thrownBy(() => {
        plain.write(Buffer.from('x'));
      }),
    ).toBeInstanceOf(TransportClosedError);
    const echoed = readBytes(secure, 2);
    secure.write(Buffer.from('ok'));
    expect(text(await echoed)).toBe('ok');
  });

  it('hands bytes received but not delivered (a ClientHello behind the line) to TLS', async () => {
    // The server reads one byte at a time and pauses at the newline: the ClientHello that
    // the client sent right behind 'STARTTLS\n' waits in the transport, undelivered.
    const upgraded: Promise<SocketTransport>[] = [];
    const line: number[] = [];
    const server = resources.server(
      await createServer({
        host: HOST,
        port: 0,
        protocol: (): BufferedProtocol => {
          let transport: SocketTransport;
          const buffer = new Uint8Array(1);
          return {
            connectionMade: (t) => {
              transport = t as SocketTransport;
            },
            getBuffer: () => buffer,
            bufferUpdated: () => {
              line.push(buffer[0] as number);
              if (buffer[0] !== 0x0a || upgraded.length > 0) return;
              transport.pauseReading();
              upgraded.push(startTls(transport, serverSsl(), { serverSide: true }));
            },
          };
        },
      }),
    );
    const raw = resources.rawSocket(net.connect(inetAddressOf(server).port, HOST));
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.write('STARTTLS\n');
    const secure = tls.connect({ socket: raw, ca: certs.ca, servername: 'localhost' });
    resources.rawSocket(secure);
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    await waitFor(() => upgraded.length === 1, 'the server upgraded');
    const transport = resources.transport(await (upgraded[0] as Promise<SocketTransport>));
    expect(Buffer.from(line).toString()).toBe('STARTTLS\n');
    // The same protocol goes on reading, now over TLS.
    secure.write('over tls');
    await waitFor(() => Buffer.from(line).toString() === 'STARTTLS\nover tls', 'the TLS bytes');
    transport.close();
    expect(await closedValue(transport)).toBeNull();
  });

  it('rejects a wrong CA with SSLCertVerificationError and leaves no handle', async () => {
    // The server sees the client's alert or, with a FIN only, nothing until its timeout [N-T1].
    const { port, failures } = await starttlsServer(undefined, 500);
    const plain = resources.transport(await createConnection({ host: HOST, port }));
    const first = readBytes(plain, 3);
    plain.write(Buffer.from('STARTTLS\n'));
    await first;
    const error = await rejectionOf(
      startTls(plain, { ca: certs.otherCa }, { serverHostname: 'localhost' }),
    );
    expect(error).toBeInstanceOf(SSLCertVerificationError);
    expect((error as SSLCertVerificationError).code).toMatch(/^[A-Z_]+$/);
    expect(await closedValue(plain)).toBeNull();
    await waitFor(() => failures.length === 1, 'the server handshake failed');
    expect(failures[0]).toBeInstanceOf(Error);
  });

  it('upgrades a Unix socket transport on both sides', async () => {
    const path = resources.path(tmpSocketPath());
    const server = resources.server(await createUnixServer({ path }));
    const accepted = firstValueFrom(server.connections$);
    const plain = resources.transport(await createUnixConnection({ path }));
    const serverPlain = resources.transport(await accepted);
    const [mine, theirs] = await Promise.all([
      startTls(plain, { ca: certs.ca }, { serverHostname: 'localhost' }),
      startTls(serverPlain, serverSsl(), { serverSide: true }),
    ]);
    resources.transport(mine);
    resources.transport(theirs).data$.subscribe(theirs.sink);
    const echoed = readBytes(mine, 4);
    mine.write(Buffer.from('unix'));
    expect(text(await echoed)).toBe('unix');
    expect(mine.getExtraInfo('peercert')).toBeTruthy();
  });
});
