/**
 * TLS over Unix sockets: createUnixServer and createUnixConnection with `ssl`, asyncio's rule
 * that a Unix client names the server itself [T2], and mutual TLS.
 */
import { firstValueFrom } from 'rxjs';
import {
  createUnixConnection,
  createUnixServer,
  SSLCertVerificationError,
  type SocketTransport,
} from '../../src/index';
import { MiB, patternBytes, sha256 } from '../helpers/bytes';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { tmpSocketPath } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { describeTls, useTlsCerts } from '../helpers/tlsCerts';
import { createHash } from 'node:crypto';

describeTls('TLS over Unix sockets', () => {
  const certs = useTlsCerts();
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function echoServer(extra: Record<string, unknown> = {}): Promise<{
    path: string;
    accepted: Promise<SocketTransport>;
  }> {
    const path = resources.path(tmpSocketPath());
    const server = resources.server(
      await createUnixServer({
        path,
        ssl: { cert: certs.serverCert, key: certs.serverKey, ...extra },
      }),
    );
    const accepted = firstValueFrom(server.connections$);
    accepted.catch(() => undefined); // a test without connections ends it empty
    server.connections$.subscribe((client) => client.data$.subscribe(client.sink));
    return { path, accepted };
  }

  it('echoes 2 MiB intact, with the path as peername', async () => {
    const { path } = await echoServer();
    const client = resources.transport(
      await createUnixConnection({ path, ssl: { ca: certs.ca }, serverHostname: 'localhost' }),
    );
    expect(client.getExtraInfo('peername')).toEqual({ path });
    expect(client.canWriteEof()).toBe(false);
    const payload = patternBytes(2 * MiB, 5);
    const hash = createHash('sha256');
    let received = 0;
    const done = new Promise<void>((resolve) => {
      client.data$.subscribe((chunk) => {
        hash.update(chunk);
        received += chunk.byteLength;
        if (received >= payload.byteLength) resolve();
      });
    });
    client.write(payload);
    await done;
    expect(hash.digest('hex')).toBe(sha256(payload));
    client.close();
    expect(await closedValue(client)).toBeNull();
  });

  it('requires serverHostname with ssl, as asyncio', async () => {
    const error = await rejectionOf(createUnixConnection({ path: '/nonexistent', ssl: true }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('verifies the server against serverHostname', async () => {
    const { path } = await echoServer();
    const error = await rejectionOf(
      createUnixConnection({ path, ssl: { ca: certs.ca }, serverHostname: 'example.com' }),
    );
    expect(error).toBeInstanceOf(SSLCertVerificationError);
  });

  it('does mutual TLS: the server sees the client certificate', async () => {
    const { path, accepted } = await echoServer({ ca: certs.ca, requestCert: true });
    const client = resources.transport(
      await createUnixConnection({
        path,
        ssl: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
        serverHostname: 'localhost',
      }),
    );
    const server = await accepted;
    const cert = server.getExtraInfo('peercert') as { subject: { CN: string } };
    expect(cert.subject.CN).toBe('rxtransport test client');
    expect(server.getExtraInfo('sockname')).toEqual({ path });
    client.close();
    await closedValue(client);
  });
});
