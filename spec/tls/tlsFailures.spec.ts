/**
 * How TLS connections fail, on real loopback sockets: refused certificates on both sides,
 * handshakes that never finish, clients that speak no TLS, and asyncio's argument rules. A
 * server goes on serving after any failed handshake, and never announces one [T6].
 */
import * as net from 'node:net';
import {
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  createConnection,
  createServer,
  SSLCertVerificationError,
  SSLError,
  type ConnectionOptions,
  type Server,
  type SocketTransport,
} from '../../src/index';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { rejectionOf } from '../helpers/outcomes';
import { startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { HOST, inetAddressOf, unusedPort } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { describeTls, useTlsCerts } from '../helpers/tlsCerts';

describeTls('TLS failures', () => {
  const certs = useTlsCerts();
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function tlsServer(
    extra: Record<string, unknown> = {},
    options: { sslHandshakeTimeout?: number } = {},
  ): Promise<{ server: Server; port: number; accepted: SocketTransport[] }> {
    const server = resources.server(
      await createServer({
        host: HOST,
        port: 0,
        ssl: { cert: certs.serverCert, key: certs.serverKey, ...extra },
        ...options,
      }),
    );
    const accepted: SocketTransport[] = [];
    server.connections$.subscribe((client) => {
      accepted.push(client);
      client.data$.subscribe(client.sink);
    });
    return { server, port: inetAddressOf(server).port, accepted };
  }

  async function connect(options: Omit<ConnectionOptions, 'host'> & { host?: string }) {
    return resources.transport(await createConnection({ host: HOST, ...options }));
  }

  /** A good client still gets served, and echoed. */
  async function expectServing(port: number, withCert = false): Promise<void> {
    const mine = withCert ? { cert: certs.clientCert, key: certs.clientKey } : {};
    const client = await connect({ port, ssl: { ca: certs.ca, ...mine } });
    const reply = new Promise<string>((resolve) => {
      client.data$.subscribe((chunk) => {
        resolve(Buffer.from(chunk).toString());
      });
    });
    client.write(Buffer.from('still here'));
    expect(await reply).toBe('still here');
    client.close();
    await closedValue(client);
  }

  /** The error a client ends with: the factory's rejection, or its transport's loss [T10]. */
  async function clientFailure(options: Parameters<typeof connect>[0]): Promise<unknown> {
    let client: SocketTransport;
    try {
      client = await connect(options);
    } catch (error) {
      return error;
    }
    return closedValue(client);
  }

  it('rejects a server certificate from an unknown CA with SSLCertVerificationError', async () => {
    const { port, accepted } = await tlsServer();
    const error = await rejectionOf(connect({ port, ssl: { ca: certs.otherCa } }));
    expect(error).toBeInstanceOf(SSLCertVerificationError);
    expect(error).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect((error as SSLCertVerificationError).reason).toEqual(expect.any(String));
    await expectServing(port);
    expect(accepted).toHaveLength(1);
  });

  it('rejects a host name the certificate does not name', async () => {
    const { port } = await tlsServer();
    const error = await rejectionOf(
      connect({ port, ssl: { ca: certs.ca }, serverHostname: 'example.com' }),
    );
    expect(error).toBeInstanceOf(SSLCertVerificationError);
    expect(error).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('checks no name with serverHostname "", but still the chain', async () => {
    const { port } = await tlsServer();
    const client = await connect({ port, ssl: { ca: certs.ca }, serverHostname: '' });
    expect(client.isClosing()).toBe(false);
    const error = await rejectionOf(
      connect({ port, ssl: { ca: certs.otherCa }, serverHostname: '' }),
    );
    expect(error).toBeInstanceOf(SSLCertVerificationError);
  });

  it('refuses a self-signed server with ssl: true, accepts it with rejectUnauthorized false', async () => {
    const { port } = await tlsServer({ cert: certs.selfSignedCert, key: certs.selfSignedKey });
    const error = await rejectionOf(connect({ port, ssl: true }));
    expect(error).toBeInstanceOf(SSLCertVerificationError);
    expect(error).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const client = await connect({ port, ssl: { rejectUnauthorized: false } });
    expect(client.getExtraInfo('peercert')).toEqual(
      expect.objectContaining({ raw: expect.anything() }),
    );
  });

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'fails a client without the required certificate on %s; the server goes on',
    async (version) => {
      const { port, accepted } = await tlsServer({
        ca: certs.ca,
        requestCert: true,
        maxVersion: version,
      });
      const error = await clientFailure({ port, ssl: { ca: certs.ca } });
      expect(error).toBeInstanceOf(SSLError);
      expect((error as SSLError).code).toMatch(/^ERR_SSL_/);
      await expectServing(port, true);
      expect(accepted).toHaveLength(1);
    },
  );

  it('drops a client whose certificate the server does not trust, unannounced', async () => {
    const { port, accepted } = await tlsServer({ ca: certs.ca, requestCert: true });
    const ending = await clientFailure({
      port,
      ssl: { ca: certs.ca, cert: certs.strangerCert, key: certs.strangerKey },
    });
    // Node checks the chain after OpenSSL's handshake and closes without an alert: the
    // client sees the connection end (asyncio-differences, TLS).
    expect(ending === null || ending instanceof SSLError).toBe(true);
    expect(accepted).toHaveLength(0);
    await expectServing(port, true);
    expect(accepted).toHaveLength(1);
  });

  it('aborts a handshake the server never answers with ConnectionAbortedError', async () => {
    const { port } = await startRawServer(resources);
    const error = await rejectionOf(
      connect({ port, ssl: { ca: certs.ca }, sslHandshakeTimeout: 100 }),
    );
    expect(error).toBeInstanceOf(ConnectionAbortedError);
    expect(error).toMatchObject({ code: 'ECONNABORTED' });
  });

  it('rejects with ConnectionResetError when the server hangs up during the handshake', async () => {
    const { port } = await startRawServer(resources, (socket) => socket.destroy());
    const error = await rejectionOf(connect({ port, ssl: { ca: certs.ca } }));
    expect(error).toBeInstanceOf(ConnectionResetError);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
  });

  it('drops a client that sends nothing at its handshake timeout, and goes on', async () => {
    const { port, accepted } = await tlsServer({}, { sslHandshakeTimeout: 100 });
    const silent = resources.rawSocket(net.connect(port, HOST));
    await new Promise((resolve) => silent.once('close', resolve));
    await expectServing(port);
    expect(accepted).toHaveLength(1);
  });

  it('drops a client that speaks plain text, and goes on', async () => {
    const { port, accepted } = await tlsServer();
    const plain = resources.rawSocket(net.connect(port, HOST));
    plain.on('data', () => undefined);
    plain.on('error', () => undefined);
    plain.write('GET / HTTP/1.0\r\n\r\n');
    await new Promise((resolve) => plain.once('close', resolve));
    await expectServing(port);
    expect(accepted).toHaveLength(1);
  });

  it('maps a refused TCP connect as without TLS', async () => {
    const port = await unusedPort();
    const error = await rejectionOf(connect({ port, ssl: true }));
    expect(error).toBeInstanceOf(ConnectionRefusedError);
  });

  describe('argument rules', () => {
    const value = { code: 'ERR_INVALID_ARG_VALUE' };
    it.each([
      [{ serverHostname: 'a' }, TypeError, value],
      [{ sslHandshakeTimeout: 1000 }, TypeError, value],
      [{ sslShutdownTimeout: 1000 }, TypeError, value],
      [{ ssl: true, sslHandshakeTimeout: 0 }, RangeError, { code: 'ERR_OUT_OF_RANGE' }],
      [{ ssl: true, sslShutdownTimeout: -1 }, RangeError, { code: 'ERR_OUT_OF_RANGE' }],
      [{ ssl: true, sslShutdownTimeout: '1' }, TypeError, { code: 'ERR_INVALID_ARG_TYPE' }],
      [{ ssl: 5 }, TypeError, { code: 'ERR_INVALID_ARG_TYPE' }],
    ])('createConnection refuses %p', async (extra, ErrorClass, code) => {
      const options = { host: HOST, port: 1, ...extra } as unknown as ConnectionOptions;
      const error = await rejectionOf(createConnection(options));
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject(code);
    });

    it.each([
      [{ ssl: true }, { code: 'ERR_INVALID_ARG_TYPE' }],
      [{ sslHandshakeTimeout: 5 }, value],
      [{ ssl: {}, serverHostname: 'a' }, value],
    ])('createServer refuses %p', async (extra, code) => {
      const options = { host: HOST, port: 0, ...extra } as never;
      const error = await rejectionOf(createServer(options));
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject(code);
    });
  });
});
