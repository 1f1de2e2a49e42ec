/**
 * A BufferedProtocol on a client socket, which reads through Node's `onread` into one shared
 * buffer and has each read copied into the protocol's buffer at once; and the chunks a client
 * socket hands to `dataReceived` the same way.
 */

import {
  createConnection,
  createUnixConnection,
  createUnixServer,
  type BufferedProtocol,
  type Protocol,
  type SocketTransport,
} from '../../src/index';
import { Hasher, patternBytes, sha256, utf8, writeChunked } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { nextConnection, startServer } from '../helpers/servers';
import { HOST, tmpSocketPath } from '../helpers/sockets';
import { turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

/** A BufferedProtocol over a ring of buffers of the given sizes, recording every call. */
class RingProtocol implements BufferedProtocol<SocketTransport> {
  readonly hints: number[] = [];
  readonly hasher = new Hasher();
  readonly lost: (Error | null)[] = [];
  transport: SocketTransport | null = null;
  eof = false;
  private readonly buffers: Uint8Array[];
  private next = 0;
  private current: Uint8Array | null = null;

  constructor(sizes: readonly number[]) {
    this.buffers = sizes.map((size) => new Uint8Array(size));
  }

  connectionMade(transport: SocketTransport): void {
    this.transport = transport;
  }

  getBuffer(sizeHint: number): Uint8Array {
    this.hints.push(sizeHint);
    this.current = this.buffers[this.next % this.buffers.length] as Uint8Array;
    this.next += 1;
    return this.current;
  }

  bufferUpdated(nbytes: number): void {
    this.hasher.update((this.current as Uint8Array).subarray(0, nbytes));
  }

  eofReceived(): void {
    this.eof = true;
  }

  connectionLost(exc: Error | null): void {
    this.lost.push(exc);
  }
}

describe('BufferedProtocol on a client socket (reads through the shared buffer)', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const reports = useExceptionReports();

  /** A server that writes `payload` in 64 KiB writes to its one client, then sends EOF. */
  async function serveOnce(payload: Uint8Array): Promise<number> {
    const { server, port } = await startServer(resources);
    server.connections$.subscribe((serverSide) => {
      writeChunked((chunk) => {
        serverSide.write(chunk);
      }, payload);
      serverSide.writeEof();
    });
    return port;
  }

  it('receives 8 MiB into buffers of changing sizes, each asked for with the bytes waiting', async () => {
    const payload = patternBytes(8 * MiB);
    const port = await serveOnce(payload);
    const protocol = new RingProtocol([4 * KiB, 256 * KiB, 1, 64 * KiB]);
    resources.transport(await createConnection({ host: HOST, port, protocol: () => protocol }));
    await waitFor(() => protocol.lost.length === 1, 'connectionLost');
    expect(protocol.lost).toEqual([null]);
    expect(protocol.eof).toBe(true);
    expect(protocol.hasher.bytes).toBe(8 * MiB);
    expect(protocol.hasher.digest()).toBe(sha256(payload));
    // Every read is copied in at once, getBuffer being told how many bytes are still to come.
    expect(protocol.hints.length).toBeGreaterThan(10);
    expect(protocol.hints.every((hint) => hint > 0)).toBe(true);
  });

  it('loses nothing across pauseReading from bufferUpdated and a later resume', async () => {
    const payload = patternBytes(4 * MiB);
    const port = await serveOnce(payload);
    const protocol = new RingProtocol([64 * KiB]);
    let updates = 0;
    const update = protocol.bufferUpdated.bind(protocol);
    protocol.bufferUpdated = (nbytes: number) => {
      update(nbytes);
      updates += 1;
      if (updates % 5 === 0) {
        const transport = protocol.transport as SocketTransport;
        transport.pauseReading();
        setTimeout(() => {
          transport.resumeReading();
        }, 2);
      }
    };
    resources.transport(await createConnection({ host: HOST, port, protocol: () => protocol }));
    await waitFor(() => protocol.lost.length === 1, 'connectionLost', 20_000);
    expect(protocol.hasher.bytes).toBe(4 * MiB);
    expect(protocol.hasher.digest()).toBe(sha256(payload));
    expect(updates).toBeGreaterThan(5);
  });

  it.each([
    [
      'throws',
      (): Uint8Array => {
        throw new Error('no buffer today');
      },
      'no buffer today',
    ],
    [
      'returns an empty buffer',
      (): Uint8Array => new Uint8Array(0),
      'getBuffer() returned an empty buffer',
    ],
  ])(
    'fails the transport when getBuffer %s, with nothing uncaught',
    async (_case, getBuffer, message) => {
      const port = await serveOnce(patternBytes(1 * MiB));
      const protocol = new RingProtocol([16 * KiB]);
      let calls = 0;
      const good = protocol.getBuffer.bind(protocol);
      // Good for the first few reads, then failing.
      protocol.getBuffer = (hint: number) => (++calls > 3 ? getBuffer() : good(hint));
      resources.transport(await createConnection({ host: HOST, port, protocol: () => protocol }));
      await waitFor(() => protocol.lost.length === 1, 'connectionLost');
      expect(protocol.lost[0]).toBeInstanceOf(Error);
      expect((protocol.lost[0] as Error).message).toBe(message);
      expect(reports.take().map((report) => report.message)).toEqual([
        'Fatal error: protocol.getBuffer() call failed.',
      ]);
    },
  );

  it('fails the transport when bufferUpdated throws', async () => {
    const port = await serveOnce(patternBytes(1 * MiB));
    const protocol = new RingProtocol([16 * KiB]);
    let updates = 0;
    protocol.bufferUpdated = () => {
      if (++updates > 2) throw new Error('cannot take it');
    };
    resources.transport(await createConnection({ host: HOST, port, protocol: () => protocol }));
    await waitFor(() => protocol.lost.length === 1, 'connectionLost');
    expect((protocol.lost[0] as Error).message).toBe('cannot take it');
    expect(reports.take().map((report) => report.message)).toEqual([
      'Fatal error: protocol.bufferUpdated() call failed.',
    ]);
  });

  it('gives the bytes that come after setProtocol to the new protocol', async () => {
    const { server, port } = await startServer(resources);
    const accepted = nextConnection(server);
    const buffered = new RingProtocol([64 * KiB]);
    const client = resources.transport(
      await createConnection({ host: HOST, port, protocol: () => buffered }),
    );
    const serverSide = await accepted;
    serverSide.write(utf8('first'));
    await waitFor(() => buffered.hasher.bytes === 5, 'the first bytes');
    const received: Uint8Array[] = [];
    const plain: Protocol<SocketTransport> = { dataReceived: (data) => received.push(data) };
    client.setProtocol(plain);
    serverSide.write(utf8('second'));
    await waitFor(() => received.length > 0, 'the second bytes');
    expect(Buffer.concat(received).toString()).toBe('second');
    expect(buffered.hasher.bytes).toBe(5);
  });

  it('receives on a Unix socket too', async () => {
    const path = tmpSocketPath();
    const payload = patternBytes(2 * MiB);
    const server = resources.server(await createUnixServer({ path }));
    server.connections$.subscribe((serverSide) => {
      writeChunked((chunk) => {
        serverSide.write(chunk);
      }, payload);
      serverSide.writeEof();
    });
    const protocol = new RingProtocol([32 * KiB]);
    resources.transport(await createUnixConnection({ path, protocol: () => protocol }));
    await waitFor(() => protocol.lost.length === 1, 'connectionLost');
    expect(protocol.hasher.digest()).toBe(sha256(payload));
    expect(protocol.hints.every((hint) => hint > 0)).toBe(true);
  });
});

describe('BufferedProtocol buffers are asked for right before the bytes go in', () => {
  const resources = useResources();
  useLeakCheck(resources);

  it('puts the bytes where getBuffer says, though the protocol moved on since its last read', async () => {
    const { server, port } = await startServer(resources);
    const accepted = nextConnection(server);
    // A protocol that hands out the free tail of its buffer and is emptied by the application
    // later, outside any callback.
    const store = new Uint8Array(1024);
    let filled = 0;
    const seen: string[] = [];
    const protocol: BufferedProtocol<SocketTransport> = {
      getBuffer: () => store.subarray(filled),
      bufferUpdated: (nbytes) => {
        filled += nbytes;
      },
    };
    resources.transport(await createConnection({ host: HOST, port, protocol: () => protocol }));
    const serverSide = await accepted;
    const consume = (): void => {
      seen.push(Buffer.from(store.subarray(0, filled)).toString());
      filled = 0;
    };
    serverSide.write(utf8('first'));
    await waitFor(() => filled === 5, 'the first bytes');
    consume();
    serverSide.write(utf8('second'));
    await waitFor(() => filled === 6, 'the second bytes');
    consume();
    expect(seen).toEqual(['first', 'second']);
  });

  it('never writes into a protocol buffer once the transport is closed', async () => {
    const { server, port } = await startServer(resources);
    const accepted = nextConnection(server);
    const store = new Uint8Array(256);
    let lost = false;
    const protocol: BufferedProtocol<SocketTransport> = {
      getBuffer: () => store,
      bufferUpdated: () => undefined,
      connectionLost: () => {
        lost = true;
      },
    };
    const client = resources.transport(
      await createConnection({ host: HOST, port, protocol: () => protocol }),
    );
    const serverSide = await accepted;
    serverSide.write(utf8('before'));
    await waitFor(() => store[0] === 0x62, 'the first bytes');
    client.close();
    await waitFor(() => lost, 'connectionLost');
    store.fill(0);
    // The closed socket still drains what the peer sends (a graceful close), elsewhere.
    serverSide.write(utf8('AFTER-CLOSE-DATA'));
    await turns(10);
    expect(store.every((byte) => byte === 0)).toBe(true);
  });
});

describe('chunks a client socket hands to dataReceived', () => {
  const resources = useResources();
  useLeakCheck(resources);

  it('copies a small chunk out (it does not pin a 64 KiB read buffer) and keeps each intact', async () => {
    const { server, port } = await startServer(resources);
    const accepted = nextConnection(server);
    const chunks: Uint8Array[] = [];
    resources.transport(
      await createConnection({
        host: HOST,
        port,
        protocol: () => ({ dataReceived: (data: Uint8Array) => chunks.push(data) }),
      }),
    );
    const serverSide = await accepted;
    for (const word of ['one', 'two', 'three']) {
      serverSide.write(utf8(word));
      await waitFor(() => Buffer.concat(chunks).toString().endsWith(word), word);
      await turns(1);
    }
    expect(Buffer.concat(chunks).toString()).toBe('onetwothree');
    // Each small chunk owns exactly its bytes, and later reads did not overwrite earlier ones.
    for (const chunk of chunks) expect(chunk.buffer.byteLength).toBe(chunk.byteLength);
    expect(chunks.map((chunk) => Buffer.from(chunk).toString())).toEqual(['one', 'two', 'three']);
  });
});
