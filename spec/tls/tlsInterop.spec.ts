/**
 * Interop of TLS transports with other implementations, on real loopback sockets: python3
 * asyncio `ssl=` (server and client, with and without mutual TLS) and OpenSSL's `s_server`
 * and `s_client`. Skipped, saying why, when python3's ssl or the openssl CLI is missing.
 */
import { createHash } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { createConnection, createServer, type Server, type SocketTransport } from '../../src/index';
import { MiB } from '../helpers/bytes';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { HOST, inetAddressOf, unusedPort } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { describeTls, useTlsCerts } from '../helpers/tlsCerts';
import { HAVE_PYTHON_SSL, runPeer, startPeer, TLS_PEER_SCRIPT } from '../helpers/tlsPeers';

/** The fixture's pattern: byte i is i mod 256. */
function pattern(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => i & 255);
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describeTls('TLS interop', () => {
  const certs = useTlsCerts();
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function echoServer(extra: Record<string, unknown> = {}): Promise<{
    server: Server;
    port: number;
    clients: SocketTransport[];
  }> {
    const server = resources.server(
      await createServer({
        host: HOST,
        port: 0,
        ssl: { cert: certs.serverCert, key: certs.serverKey, ...extra },
      }),
    );
    const clients: SocketTransport[] = [];
    server.connections$.subscribe((client) => {
      clients.push(client);
      client.data$.subscribe(client.sink);
    });
    return { server, port: inetAddressOf(server).port, clients };
  }

  /** Sends `payload`, reads as much back, closes; resolves with the hash of what came back. */
  async function roundTrip(client: SocketTransport, payload: Uint8Array): Promise<string> {
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
    client.close();
    expect(await closedValue(client)).toBeNull();
    return hash.digest('hex');
  }

  const describePython = HAVE_PYTHON_SSL ? describe : describe.skip;
  if (!HAVE_PYTHON_SSL) console.warn('Skipping the asyncio TLS interop: no python3 with ssl');

  describePython('python3 asyncio ssl=', () => {
    it.each([false, true])('serves an asyncio client (mutual TLS: %p)', async (mtls) => {
      const { port, clients } = await echoServer(mtls ? { ca: certs.ca, requestCert: true } : {});
      const args = [TLS_PEER_SCRIPT, 'client', certs.dir, String(port), String(2 * MiB)];
      const output = await runPeer(resources, 'python3', mtls ? [...args, 'mtls'] : args);
      const result = JSON.parse(output.trim()) as Record<string, unknown>;
      expect(result['received']).toBe(result['sent']);
      expect(result['version']).toBe('TLSv1.3');
      expect(result['clean']).toBe(true);
      if (mtls) {
        const cert = clients[0]?.getExtraInfo('peercert') as { subject: { CN: string } };
        expect(cert.subject.CN).toBe('rxtransport test client');
      }
    });

    it.each([false, true])('connects to an asyncio server (mutual TLS: %p)', async (mtls) => {
      const peer = startPeer(resources, 'python3', [
        TLS_PEER_SCRIPT,
        'server',
        certs.dir,
        ...(mtls ? ['mtls'] : []),
      ]);
      const port = Number((await peer.waitFor(/PORT (\d+)/))[1]);
      const mine = mtls ? { cert: certs.clientCert, key: certs.clientKey } : {};
      const client = resources.transport(
        await createConnection({ host: 'localhost', port, ssl: { ca: certs.ca, ...mine } }),
      );
      const payload = pattern(2 * MiB);
      expect(await roundTrip(client, payload)).toBe(sha(payload));
      if (mtls) await peer.waitFor(/PEER rxtransport test client/);
    });
  });

  describe('OpenSSL s_server and s_client', () => {
    it('talks to openssl s_server both ways and closes with close_notify', async () => {
      const port = await unusedPort();
      const peer = startPeer(resources, 'openssl', [
        's_server',
        '-accept',
        `${HOST}:${port}`,
        '-cert',
        `${certs.dir}/server.pem`,
        '-key',
        `${certs.dir}/server.key`,
        '-naccept',
        '1',
      ]);
      await peer.waitFor(/ACCEPT/);
      const client = resources.transport(
        await createConnection({ host: HOST, port, ssl: { ca: certs.ca } }),
      );
      const reply = firstValueFrom(client.data$);
      client.write(Buffer.from('hello from rxtransport\n'));
      await peer.waitFor(/hello from rxtransport/);
      peer.child.stdin?.write('hello from openssl\n');
      expect(Buffer.from(await reply).toString()).toContain('hello from openssl');
      client.close();
      expect(await closedValue(client)).toBeNull();
    });

    it('serves openssl s_client, verified against the CA', async () => {
      const { port } = await echoServer();
      const peer = startPeer(resources, 'openssl', [
        's_client',
        '-connect',
        `${HOST}:${port}`,
        '-CAfile',
        `${certs.dir}/ca.pem`,
        '-verify_return_error',
        '-verify_hostname',
        'localhost',
        '-quiet',
        '-no_ign_eof',
      ]);
      peer.child.stdin?.write('ping over TLS\n');
      await peer.waitFor(/ping over TLS/);
      await peer.stop();
    });
  });
});
