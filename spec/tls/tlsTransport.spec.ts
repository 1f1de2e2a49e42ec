/**
 * TLS transports on real loopback sockets: the same stream transport over a TLS handle.
 * Echo by hash, TLS 1.2 and 1.3, the extra info keys, mutual TLS, no half-close, and no way
 * around the TLS layer (no direct write path, no raw socket in the extra info).
 */
import { createHash } from 'node:crypto';
import * as tls from 'node:tls';
import { firstValueFrom } from 'rxjs';
import {
  createConnection,
  createServer,
  fromConnection,
  fromServer,
  UnsupportedError,
  type Server,
  type SocketTransport,
} from '../../src/index';
import { MiB, patternBytes, sha256 } from '../helpers/bytes';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { HOST, inetAddressOf } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { describeTls, useTlsCerts } from '../helpers/tlsCerts';
import { waitFor } from '../helpers/waits';

describeTls('TLS transport', () => {
  const certs = useTlsCerts();
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  function serverSsl(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { cert: certs.serverCert, key: certs.serverKey, ...extra };
  }

  async function echoServer(extra: Record<string, unknown> = {}): Promise<{
    server: Server;
    port: number;
    clients: SocketTransport[];
  }> {
    const server = resources.server(
      await createServer({ host: HOST, port: 0, ssl: serverSsl(extra) }),
    );
    const clients: SocketTransport[] = [];
    server.connections$.subscribe((client) => {
      clients.push(client);
      client.data$.subscribe(client.sink);
    });
    return { server, port: inetAddressOf(server).port, clients };
  }

  async function connect(
    port: number,
    ssl: Record<string, unknown> = {},
  ): Promise<SocketTransport> {
    return resources.transport(
      await createConnection({ host: HOST, port, ssl: { ca: certs.ca, ...ssl } }),
    );
  }

  /** Writes `payload` and collects as many bytes back, by hash. */
  async function echoed(client: SocketTransport, payload: Uint8Array): Promise<string> {
    const hash = createHash('sha256');
    let received = 0;
    const done = new Promise<void>((resolve) => {
      client.data$.subscribe((chunk) => {
        hash.update(chunk);
        received += chunk.byteLength;
        if (received >= payload.byteLength) resolve();
      });
    });
    for (let offset = 0; offset < payload.byteLength; offset += 256 * 1024) {
      client.write(payload.subarray(offset, offset + 256 * 1024));
      await client.drain();
    }
    await done;
    return hash.digest('hex');
  }

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('echoes 4 MiB intact over %s', async (version) => {
    const { port } = await echoServer({ minVersion: version, maxVersion: version });
    const client = await connect(port);
    expect(client.getExtraInfo('ssl_object')).toEqual(expect.anything());
    const sslObject = client.getExtraInfo('ssl_object') as { version(): string };
    expect(sslObject.version()).toBe(version);
    expect(client.getExtraInfo('cipher')).toEqual([expect.any(String), version, null]);
    const payload = patternBytes(4 * MiB, 7);
    expect(await echoed(client, payload)).toBe(sha256(payload));
    client.close();
    expect(await closedValue(client)).toBeNull();
  });

  it('has no direct write path: every write arrives decrypted at a Node TLS peer', async () => {
    const received: Buffer[] = [];
    const peer = tls.createServer({ cert: certs.serverCert, key: certs.serverKey }, (socket) => {
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('end', () => socket.end());
    });
    resources.rawServer(peer);
    await new Promise<void>((resolve) => peer.listen(0, HOST, resolve));
    const port = (peer.address() as { port: number }).port;
    const client = await connect(port);
    // Small writes, each of which a plain TCP transport would try to send straight to the fd.
    const parts = Array.from({ length: 50 }, (_, i) => Buffer.from(`part ${i};`));
    for (const part of parts) client.write(part);
    await waitFor(
      () => Buffer.concat(received).length === Buffer.concat(parts).length,
      'every part at the peer',
    );
    expect(Buffer.concat(received).toString()).toBe(Buffer.concat(parts).toString());
    const handle = (client as unknown as { handle: { tryWrite?: unknown } }).handle;
    expect(handle.tryWrite).toBeUndefined();
    client.close();
    expect(await closedValue(client)).toBeNull();
  });

  it('has no half-close and offers no raw socket in its extra info', async () => {
    const { port } = await echoServer();
    const client = await connect(port);
    expect(client.canWriteEof()).toBe(false);
    expect(
      thrownBy(() => {
        client.writeEof();
      }),
    ).toBeInstanceOf(UnsupportedError);
    const socket = client.getExtraInfo('socket') as Record<string, unknown>;
    expect(Object.isFrozen(socket)).toBe(true);
    expect(socket['write']).toBeUndefined();
    expect(socket['remotePort']).toBe(port);
    expect(client.getExtraInfo('peername')).toEqual(expect.objectContaining({ host: HOST, port }));
    expect(client.getExtraInfo('compression')).toBeNull();
    expect(client.getExtraInfo('sslcontext')).toEqual(expect.objectContaining({ ca: certs.ca }));
    const peercert = client.getExtraInfo('peercert') as { subject: { CN: string } };
    expect(peercert.subject.CN).toBe('localhost');
    expect(client.getExtraInfo('alpnProtocol')).toBe(false);
  });

  it('does mutual TLS: the server sees the client certificate as peercert', async () => {
    const { port, clients } = await echoServer({ ca: certs.ca, requestCert: true });
    const client = await connect(port, { cert: certs.clientCert, key: certs.clientKey });
    expect(await echoed(client, Buffer.from('mutual'))).toBe(sha256(Buffer.from('mutual')));
    await waitFor(() => clients.length === 1, 'the accepted connection');
    const peercert = clients[0]?.getExtraInfo('peercert') as { subject: { CN: string } };
    expect(peercert.subject.CN).toBe('rxtransport test client');
  });

  it('reports no peercert on a server that asked for none, and negotiates ALPN', async () => {
    const { port, clients } = await echoServer({ ALPNProtocols: ['rx/1'] });
    const client = await connect(port, { ALPNProtocols: ['rx/1'] });
    expect(client.getExtraInfo('alpnProtocol')).toBe('rx/1');
    await waitFor(() => clients.length === 1, 'the accepted connection');
    expect(clients[0]?.getExtraInfo('peercert')).toBeNull();
    expect(clients[0]?.getExtraInfo('alpnProtocol')).toBe('rx/1');
  });

  it('runs connectionMade after the handshake, on both sides', async () => {
    const seen: string[] = [];
    const server = resources.server(
      await createServer({
        host: HOST,
        port: 0,
        ssl: serverSsl(),
        protocol: () => ({
          connectionMade: (t) =>
            seen.push(`server ${String((t.getExtraInfo('cipher') as unknown[])[1])}`),
        }),
      }),
    );
    const client = resources.transport(
      await createConnection({
        host: 'localhost',
        port: inetAddressOf(server).port,
        ssl: { ca: certs.ca },
        protocol: () => ({
          connectionMade: (t) => {
            seen.push(`client ${String(t.getExtraInfo('peercert') !== null)}`);
          },
        }),
      }),
    );
    expect(seen).toContain('client true');
    await waitFor(() => seen.length === 2, 'both connectionMade calls');
    expect(seen).toContain('server TLSv1.3');
    client.close();
  });

  it('feeds a BufferedProtocol through small buffers, every byte in order', async () => {
    const { port } = await echoServer();
    const hash = createHash('sha256');
    const buffer = new Uint8Array(1000);
    let received = 0;
    const payload = patternBytes(MiB, 9);
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const client = resources.transport(
      await createConnection({
        host: HOST,
        port,
        ssl: { ca: certs.ca },
        protocol: () => ({
          getBuffer: () => buffer,
          bufferUpdated: (n: number) => {
            hash.update(buffer.subarray(0, n));
            received += n;
            if (received === payload.byteLength) resolveDone();
          },
        }),
      }),
    );
    client.write(payload);
    await done;
    expect(hash.digest('hex')).toBe(sha256(payload));
  });

  it('sends SNI for a host name, not for an IP literal', async () => {
    const { port, clients } = await echoServer();
    const named = resources.transport(
      await createConnection({ host: 'localhost', port, ssl: { ca: certs.ca } }),
    );
    await connect(port); // 127.0.0.1
    await waitFor(() => clients.length === 2, 'both connections');
    const names = clients.map(
      (c) => (c.getExtraInfo('ssl_object') as { servername: string | false }).servername,
    );
    expect(names.sort()).toEqual([false, 'localhost'].sort());
    named.close();
  });

  it('takes a tls.SecureContext as ssl, on both sides', async () => {
    const server = resources.server(
      await createServer({
        host: HOST,
        port: 0,
        ssl: tls.createSecureContext({ cert: certs.serverCert, key: certs.serverKey }),
      }),
    );
    server.connections$.subscribe((c) => c.data$.subscribe(c.sink));
    const context = tls.createSecureContext({ ca: certs.ca });
    const client = resources.transport(
      await createConnection({ host: HOST, port: inetAddressOf(server).port, ssl: context }),
    );
    expect(client.getExtraInfo('sslcontext')).toBe(context);
    expect(await echoed(client, Buffer.from('context'))).toBe(sha256(Buffer.from('context')));
  });

  it('takes the same options in the cold forms', async () => {
    const clients: SocketTransport[] = [];
    // fromServer emits connections only: listen on a fixed port picked by a hot server first.
    const probe = resources.server(await createServer({ host: HOST, port: 0 }));
    const port = inetAddressOf(probe).port;
    probe.close();
    await probe.waitClosed();
    const subscription = fromServer({ host: HOST, port, ssl: serverSsl() }).subscribe((c) => {
      clients.push(c);
      c.data$.subscribe(c.sink);
    });
    try {
      const client = await firstValueFrom(
        fromConnection({ host: HOST, port, ssl: { ca: certs.ca } }),
      );
      expect(client.getExtraInfo('cipher')).toEqual(expect.any(Array));
      await waitFor(() => clients.length === 1, 'the accepted connection');
    } finally {
      subscription.unsubscribe();
    }
  });
});
