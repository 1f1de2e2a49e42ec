/**
 * TCP transport write side over real loopback sockets, through createConnection.
 */
import * as net from 'node:net';
import { types } from 'node:util';
import {
  ConnectionRefusedError,
  createConnection,
  TransportClosedError,
  TransportError,
  WriteAfterEofError,
  type SocketTransport,
} from '../../src/index';
import { patternBytes, sha256, utf8 } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { rejectionOf, thrownBy } from '../helpers/outcomes';
import { readAll, startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { nextConnection, startEchoServer, startServer } from '../helpers/servers';
import { HOST, unusedPort } from '../helpers/sockets';
import { closedValue, collect, record } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

describe('TCP transport write side', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function connect(port: number): Promise<SocketTransport> {
    return resources.transport(await createConnection({ host: HOST, port }));
  }

  describe('write', () => {
    it('throws TransportClosedError after close()', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      client.close();
      const error = thrownBy(() => {
        client.write(utf8('late'));
      });
      expect(error).toBeInstanceOf(TransportClosedError);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toHaveProperty('code', 'ERR_TRANSPORT_CLOSED');
      expect(await closedValue(client)).toBeNull();
    });

    it('throws TransportClosedError after abort()', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      client.abort();
      expect(() => {
        client.write(utf8('late'));
      }).toThrow(TransportClosedError);
      expect(await closedValue(client)).toBeNull();
      expect(() => {
        client.write(utf8('later'));
      }).toThrow(TransportClosedError);
    });

    it('throws WriteAfterEofError after writeEof(), even for an empty write', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      client.writeEof();
      const error = thrownBy(() => {
        client.write(utf8('late'));
      });
      expect(error).toBeInstanceOf(WriteAfterEofError);
      expect(error).toHaveProperty('code', 'ERR_WRITE_AFTER_EOF');
      expect(() => {
        client.write(new Uint8Array(0));
      }).toThrow(WriteAfterEofError);
      expect(() => {
        client.writelines([utf8('a')]);
      }).toThrow(WriteAfterEofError);
    });

    it('throws TypeError ERR_INVALID_ARG_TYPE for a string and writes nothing', async () => {
      const { port, clients } = await startEchoServer(resources);
      const client = await connect(port);
      const error = thrownBy(() => {
        client.write('text' as unknown as Uint8Array);
      });
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
      expect(() => {
        client.write(42 as unknown as Uint8Array);
      }).toThrow(TypeError);
      // The connection is unharmed: a real write still round-trips.
      const echoed = collect(client.data$);
      client.write(utf8('ok'));
      client.writeEof();
      expect((await echoed).toString()).toBe('ok');
      await waitFor(() => clients.length === 1, 'the server side');
    });

    it('ignores an empty write', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      client.write(new Uint8Array(0));
      expect(client.getWriteBufferSize()).toBe(0);
      expect(client.isClosing()).toBe(false);
    });

    it('sends every ArrayBufferView and ArrayBuffer as its bytes, copied at write()', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      const echoed = collect(client.data$);
      const mutable = Buffer.from('abcd');
      client.write(mutable);
      mutable.fill(0x7a); // 'zzzz': must not change what was written
      const efBuffer = new ArrayBuffer(2);
      new Uint8Array(efBuffer).set([0x45, 0x46]);
      client.write(efBuffer); // 'EF'
      const framed = utf8('_gh_');
      client.write(new DataView(framed.buffer, framed.byteOffset + 1, 2));
      client.writelines([utf8('i'), new Int8Array([0x6a])]);
      client.writeEof();
      expect((await echoed).toString()).toBe('abcdEFghij');
    });

    it('accepts the ArrayBuffer of a typed array made in another realm', async () => {
      // Under jest, `ArrayBuffer` is Node's own while typed arrays made in a test file belong
      // to the test's vm context: their buffer is an ArrayBuffer that is not `instanceof` it.
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      const echoed = collect(client.data$);
      const buffer = new Uint16Array([0x4645]).buffer; // 'EF' little-endian
      expect(Object.prototype.toString.call(buffer)).toBe('[object ArrayBuffer]');
      client.write(buffer);
      client.writeEof();
      expect((await echoed).toString()).toBe('EF');
    });
  });

  describe('writeEof', () => {
    it('half-closes: the server sees EOF and can still write back to the client', async () => {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const client = await connect(port);
      const clientData = record(client.data$);
      const serverSide = await accepted;
      const serverData = collect(serverSide.data$);

      client.write(utf8('ping'));
      client.writeEof();
      expect((await serverData).toString()).toBe('ping');
      // EOF received but not sent: the server side stays open for writing.
      expect(serverSide.isClosing()).toBe(false);
      expect(client.isClosing()).toBe(false);

      serverSide.write(utf8('pong'));
      await waitFor(() => clientData.bytes().toString() === 'pong', 'the reply');
      expect(clientData.ended).toBeNull();

      serverSide.writeEof();
      // EOF both received and sent: each side closes itself.
      expect(await closedValue(serverSide)).toBeNull();
      expect(await closedValue(client)).toBeNull();
      expect(clientData.ended).toBe('complete');
    });

    it('half-closes the other way: after the server EOF the client can still write', async () => {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const client = await connect(port);
      const serverSide = await accepted;
      const serverData = record(serverSide.data$);
      const clientData = collect(client.data$);

      serverSide.write(utf8('hello'));
      serverSide.writeEof();
      expect((await clientData).toString()).toBe('hello');
      expect(client.isClosing()).toBe(false);
      expect(serverSide.isClosing()).toBe(false);

      client.write(utf8('world'));
      await waitFor(() => serverData.bytes().toString() === 'world', 'the reply');
      client.writeEof();
      expect(await closedValue(client)).toBeNull();
      expect(await closedValue(serverSide)).toBeNull();
      expect(serverData.ended).toBe('complete');
    });

    it('is a no-op when repeated or after close()', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      client.writeEof();
      client.writeEof();
      const other = await connect(port);
      other.close();
      other.writeEof();
      expect(await closedValue(other)).toBeNull();
    });
  });

  describe('close', () => {
    it('flushes 4 MiB written just before it, then sends EOF', async () => {
      const raw = await startRawServer(resources);
      const receipt = raw.firstSocket.then(readAll);
      const client = await connect(raw.port);
      const payload = patternBytes(4 * MiB);
      client.write(payload);
      client.close();
      expect(client.isClosing()).toBe(true);
      expect(client.isReading()).toBe(false);
      const { data, ending } = await receipt;
      expect(ending).toBe('end');
      expect(data.byteLength).toBe(payload.byteLength);
      expect(sha256(data)).toBe(sha256(payload));
      expect(await closedValue(client)).toBeNull();
    });

    it('is idempotent and delivers connectionLost once', async () => {
      const { port } = await startEchoServer(resources);
      const lost: (Error | null)[] = [];
      const client = resources.transport(
        await createConnection({
          host: HOST,
          port,
          protocol: () => ({ connectionLost: (exc) => lost.push(exc) }),
        }),
      );
      client.close();
      client.close();
      // connectionLost comes from a later turn, never from inside close() [S2].
      expect(lost).toEqual([]);
      expect(await closedValue(client)).toBeNull();
      client.close();
      client.abort();
      await turns(3);
      expect(lost).toEqual([null]);
    });
  });

  describe('abort', () => {
    it('drops buffered data, reports connectionLost(null) and refuses later writes', async () => {
      const raw = await startRawServer(resources);
      const receipt = raw.firstSocket.then(readAll);
      const client = await connect(raw.port);
      const total = 32 * MiB;
      client.write(patternBytes(total));
      expect(client.getWriteBufferSize()).toBeGreaterThan(0);
      client.abort();
      expect(client.isClosing()).toBe(true);
      expect(client.getWriteBufferSize()).toBe(0);
      expect(() => {
        client.write(utf8('x'));
      }).toThrow(TransportClosedError);
      expect(await closedValue(client)).toBeNull();
      const { data } = await receipt;
      expect(data.byteLength).toBeLessThan(total);
    });

    it('errors a pending drain()', async () => {
      const { server, port } = await startServer(resources);
      server.connections$.subscribe((serverSide) => {
        serverSide.pauseReading();
      });
      const client = await connect(port);
      client.write(patternBytes(16 * MiB));
      const drained = client.drain();
      client.abort();
      expect(await rejectionOf(drained)).toBeInstanceOf(TransportClosedError);
    });
  });

  describe('sink', () => {
    it('writes with next and sends EOF with complete', async () => {
      const raw = await startRawServer(resources);
      const receipt = raw.firstSocket.then(readAll);
      const client = await connect(raw.port);
      client.sink.next(utf8('via '));
      client.sink.next(utf8('sink'));
      client.sink.complete();
      const { data, ending } = await receipt;
      expect(data.toString()).toBe('via sink');
      expect(ending).toBe('end');
      expect(client.isClosing()).toBe(false);
    });

    it('aborts with error, which closed$ and data$ then carry', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      const data = record(client.data$);
      const failure = new Error('upstream failed');
      client.sink.error(failure);
      expect(client.isClosing()).toBe(true);
      expect(await closedValue(client)).toBe(failure);
      expect(data.ended).toBe('error');
      expect(data.error).toBe(failure);
    });

    it('maps a Node system error given to error onto its TransportOSError', async () => {
      // A real ECONNREFUSED from Node, as a user might forward it from a Node stream.
      const port = await unusedPort();
      const nodeError = await new Promise<Error>((resolve) => {
        resources.rawSocket(net.connect(port, HOST)).once('error', resolve);
      });
      expect(types.isNativeError(nodeError)).toBe(true);
      const { port: echoPort } = await startEchoServer(resources);
      const client = await connect(echoPort);
      client.sink.error(nodeError);
      const error = await closedValue(client);
      expect(error).toBeInstanceOf(ConnectionRefusedError);
      expect(error).toHaveProperty('code', 'ECONNREFUSED');
      expect(error?.cause).toBe(nodeError);
    });
  });

  describe('drain', () => {
    it('resolves once the write buffer is at or below the low water mark', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      const echoed = collect(client.data$);
      client.write(patternBytes(8 * MiB));
      expect(client.getWriteBufferSize()).toBeGreaterThan(16 * KiB);
      await client.drain();
      expect(client.getWriteBufferSize()).toBeLessThanOrEqual(16 * KiB);
      client.writeEof();
      expect((await echoed).byteLength).toBe(8 * MiB);
    });
  });
});
