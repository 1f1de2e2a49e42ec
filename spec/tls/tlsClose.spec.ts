/**
 * Closing TLS transports and flow control over TLS, on real loopback sockets: close_notify
 * both ways [T13, T14], a peer that never answers it (the shutdown timeout), abort, and a
 * paused reader that backs the writer up without losing a byte.
 */
import { createHash } from 'node:crypto';
import * as tls from 'node:tls';
import {
  createConnection,
  createServer,
  TransportTimeoutError,
  type Server,
  type SocketTransport,
} from '../../src/index';
import { KiB, MiB, patternBytes, sha256 } from '../helpers/bytes';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { HOST, inetAddressOf } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { describeTls, useTlsCerts } from '../helpers/tlsCerts';
import { waitFor } from '../helpers/waits';
import { firstValueFrom, filter } from 'rxjs';

describeTls('TLS close and flow control', () => {
  const certs = useTlsCerts();
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function pair(): Promise<{ client: SocketTransport; accepted: SocketTransport }> {
    const server: Server = resources.server(
      await createServer({
        host: HOST,
        port: 0,
        ssl: { cert: certs.serverCert, key: certs.serverKey },
      }),
    );
    const acceptedP = firstValueFrom(server.connections$);
    const client = resources.transport(
      await createConnection({
        host: HOST,
        port: inetAddressOf(server).port,
        ssl: { ca: certs.ca },
      }),
    );
    return { client, accepted: resources.transport(await acceptedP) };
  }

  it('client close(): the server gets every byte, then EOF; both lose the connection cleanly', async () => {
    const { client, accepted } = await pair();
    const hash = createHash('sha256');
    const ended = new Promise<void>((resolve) => {
      accepted.data$.subscribe({ next: (c) => hash.update(c), complete: resolve });
    });
    const payload = patternBytes(MiB, 3);
    client.write(payload);
    client.close();
    expect(client.isClosing()).toBe(true);
    await ended;
    expect(hash.digest('hex')).toBe(sha256(payload));
    expect(await closedValue(accepted)).toBeNull();
    expect(await closedValue(client)).toBeNull();
  });

  it('server close(): the client sees EOF and both close cleanly', async () => {
    const { client, accepted } = await pair();
    const eof = new Promise<void>((resolve) => {
      client.data$.subscribe({ complete: resolve });
    });
    accepted.write(Buffer.from('bye'));
    accepted.close();
    await eof;
    expect(await closedValue(client)).toBeNull();
    expect(await closedValue(accepted)).toBeNull();
  });

  it('ends close() with TransportTimeoutError when the peer never answers close_notify', async () => {
    // A Node TLS peer that keeps its side open after our close_notify (allowHalfOpen).
    const peer = tls.createServer(
      { cert: certs.serverCert, key: certs.serverKey, allowHalfOpen: true },
      (socket) => {
        socket.on('data', () => undefined);
        resources.rawSocket(socket);
      },
    );
    resources.rawServer(peer);
    await new Promise<void>((resolve) => peer.listen(0, HOST, resolve));
    const client = resources.transport(
      await createConnection({
        host: HOST,
        port: (peer.address() as { port: number }).port,
        ssl: { ca: certs.ca },
        sslShutdownTimeout: 100,
      }),
    );
    client.close();
    const exc = await closedValue(client);
    expect(exc).toBeInstanceOf(TransportTimeoutError);
    expect(exc).toMatchObject({ code: 'ERR_TRANSPORT_TIMEOUT' });
  });

  it('abort() loses the connection at once, and the peer sees it end', async () => {
    const { client, accepted } = await pair();
    client.abort();
    expect(await closedValue(client)).toBeNull();
    await closedValue(accepted);
  });

  it('backs a writer up behind a paused TLS reader, and loses nothing', async () => {
    const { client, accepted } = await pair();
    accepted.pauseReading();
    const states: boolean[] = [];
    client.writable$.subscribe((w) => states.push(w));
    const chunk = 64 * KiB;
    let sent = 0;
    const sentHash = createHash('sha256');
    // Write until the transport says to stop: the paused reader must make it say so.
    while (!states.includes(false) && sent < 256 * MiB) {
      const bytes = patternBytes(chunk, sent / chunk);
      sentHash.update(bytes);
      client.write(bytes);
      sent += chunk;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(states).toContain(false);
    const gotHash = createHash('sha256');
    let received = 0;
    accepted.data$.subscribe((c) => {
      gotHash.update(c);
      received += c.byteLength;
    });
    accepted.resumeReading();
    await firstValueFrom(client.writable$.pipe(filter((w) => w)));
    await waitFor(() => received === sent, 'every byte at the reader');
    expect(gotHash.digest('hex')).toBe(sentHash.digest('hex'));
  });
});
