/**
 * Faults: the server closes while clients are connected. `close()` alone stops listening and
 * leaves accepted connections open [V3]; `closeClients()` closes them (flushing what they
 * buffered); `abortClients()` aborts them (dropping it); `waitClosed()` resolves once every one
 * has delivered `connectionLost`; the cold form closes server and clients on unsubscribe.
 */
import {
  ConnectionRefusedError,
  createConnection,
  fromServer,
  type SocketTransport,
} from '../../src/index';
import { patternBytes, utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { startServer } from '../helpers/servers';
import { HOST, unusedPort } from '../helpers/sockets';
import { closedValue, record, type Recording } from '../helpers/streams';
import { settlesSoon, turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { within } from '../helpers/process';
import { expectOSError, expectPrefix, expectSameBytes } from './faultHelpers';

const CLIENTS = 8;

describe('a server closing with clients connected', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  /** A server and `CLIENTS` connected clients, with the server side of each. */
  async function connected() {
    const { server, port } = await startServer(resources);
    const serverSides: SocketTransport[] = [];
    const serverLost: (Error | null)[] = [];
    server.connections$.subscribe((connection) => {
      serverSides.push(connection);
      connection.closed$.subscribe((exc) => serverLost.push(exc));
    });
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () =>
        resources.transport(await createConnection({ host: HOST, port })),
      ),
    );
    await waitFor(() => serverSides.length === CLIENTS, 'every connection accepted');
    return { server, port, clients, serverSides, serverLost };
  }

  it('close() stops listening but keeps accepted connections working; waitClosed() waits for them', async () => {
    const { server, port, clients, serverSides } = await connected();
    server.close();
    expect(server.isServing()).toBe(false);
    expect(server.addresses()).toEqual([]);
    const refused = await rejectionOf(createConnection({ host: HOST, port }));
    expect(refused).toBeInstanceOf(ConnectionRefusedError);
    expectOSError(refused, ['ECONNREFUSED']);

    const waited = server.waitClosed();
    for (const [index, serverSide] of serverSides.entries()) {
      const got = record(serverSide.data$);
      clients[index]!.write(utf8(`hello ${index}`));
      await waitFor(() => got.bytes().toString() === `hello ${index}`, `client ${index}`);
    }
    expect(await settlesSoon(waited)).toBe(false);
    for (const client of clients) client.close();
    for (const serverSide of serverSides) serverSide.close();
    await within(waited, 'waitClosed()');
  });

  it('closeClients() flushes what each connection buffered, then each client sees EOF', async () => {
    const { server, clients, serverSides, serverLost } = await connected();
    // Clients hold their reading, so that every server side still buffers when closed.
    for (const client of clients) client.pauseReading();
    const payload = patternBytes(8 * MiB);
    for (const serverSide of serverSides) serverSide.write(payload);
    expect(serverSides.every((s) => s.getWriteBufferSize() > 0)).toBe(true);
    const received: Recording[] = clients.map((client) => record(client.data$));

    server.close();
    server.closeClients();
    expect(serverSides.every((s) => s.isClosing())).toBe(true);
    for (const client of clients) client.resumeReading();

    await within(server.waitClosed(), 'waitClosed()', 20_000);
    expect(serverLost).toEqual(Array<null>(CLIENTS).fill(null));
    await waitFor(() => received.every((r) => r.ended !== null), 'EOF on every client', 20_000);
    for (const r of received) {
      expect(r.ended).toBe('complete');
      expectSameBytes(r.bytes(), payload);
    }
  });

  it('abortClients() drops what each connection buffered; clients get a prefix and an end', async () => {
    const { server, clients, serverSides, serverLost } = await connected();
    for (const client of clients) client.pauseReading();
    const payload = patternBytes(32 * MiB);
    for (const serverSide of serverSides) serverSide.write(payload);
    const received: Recording[] = clients.map((client) => record(client.data$));

    server.close();
    server.abortClients();
    expect(serverSides.every((s) => s.isClosing() && s.getWriteBufferSize() === 0)).toBe(true);
    for (const client of clients) client.resumeReading();

    await within(server.waitClosed(), 'waitClosed()');
    expect(serverLost).toEqual(Array<null>(CLIENTS).fill(null));
    await waitFor(() => received.every((r) => r.ended !== null), 'every client to see the end');
    for (const r of received) {
      expectPrefix(r.bytes(), payload);
      expect(r.bytes().byteLength).toBeLessThan(payload.byteLength);
      // A clean EOF, or a reset if the abort found unread data: either way typed.
      if (r.ended === 'error') expectOSError(r.error, ['ECONNRESET']);
    }
  });

  it('abortClients() with unread client data resets; the clients see a typed ECONNRESET', async () => {
    const { server, clients, serverSides } = await connected();
    for (const serverSide of serverSides) serverSide.pauseReading();
    for (const client of clients) client.write(patternBytes(MiB));
    await turns(5);
    const lost = clients.map((client) => closedValue(client));
    server.abortClients();
    for (const exc of await within(Promise.all(lost), 'every client to be lost')) {
      // The unread bytes make the kernel answer with RST: a clean end would hide the loss.
      if (exc !== null) expectOSError(exc, ['ECONNRESET', 'EPIPE']);
    }
    server.close();
    await within(server.waitClosed(), 'waitClosed()');
  });

  it('closeClients() and abortClients() are safe to repeat, and on a closed server', async () => {
    const { server, serverLost } = await connected();
    server.closeClients();
    server.abortClients();
    server.closeClients();
    server.close();
    server.close();
    await within(server.waitClosed(), 'waitClosed()');
    server.abortClients();
    server.closeClients();
    await turns(5);
    expect(serverLost).toHaveLength(CLIENTS);
  });

  describe('fromServer', () => {
    it('unsubscribing closes the server and its clients, after flushing their buffers', async () => {
      const port = await unusedPort();
      const serverSides: SocketTransport[] = [];
      const subscription = fromServer({ host: HOST, port }).subscribe((connection) => {
        serverSides.push(connection);
      });
      resources.defer(() => {
        subscription.unsubscribe();
      });
      // The server listens once createServer resolves: retry the first connect until then.
      const clients: SocketTransport[] = [];
      for (let attempt = 0; clients.length === 0; attempt++) {
        try {
          clients.push(resources.transport(await createConnection({ host: HOST, port })));
        } catch (error) {
          if (attempt > 100) throw error;
          await turns(2);
        }
      }
      for (let i = 0; i < 3; i++)
        clients.push(resources.transport(await createConnection({ host: HOST, port })));
      await waitFor(() => serverSides.length === 4, 'four connections');
      for (const client of clients) client.pauseReading();
      const payload = patternBytes(4 * MiB);
      for (const serverSide of serverSides) serverSide.write(payload);
      const received = clients.map((client) => record(client.data$));

      subscription.unsubscribe();
      expect(serverSides.every((s) => s.isClosing())).toBe(true);
      for (const client of clients) client.resumeReading();
      await waitFor(() => received.every((r) => r.ended !== null), 'EOF on every client');
      for (const r of received) {
        expect(r.ended).toBe('complete');
        expectSameBytes(r.bytes(), payload);
      }
      expect(await Promise.all(serverSides.map((s) => closedValue(s)))).toEqual([
        null,
        null,
        null,
        null,
      ]);
      expect(await rejectionOf(createConnection({ host: HOST, port }))).toBeInstanceOf(
        ConnectionRefusedError,
      );
      expect(serverSides).toHaveLength(4);
    });
  });
});
