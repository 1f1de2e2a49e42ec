/**
 * Interop with a real foreign peer: Python asyncio's Protocol API on the other end of a TCP
 * connection, in both directions, with several MiB checked by SHA-256 digest.
 */
import { createHash } from 'node:crypto';
import { firstValueFrom, type Observable } from 'rxjs';
import {
  createConnection,
  createServer,
  type Protocol,
  type Server,
  type SocketTransport,
} from '../../src/index';
import {
  deterministicBytes,
  python3Available,
  runPythonClient,
  sha256,
  startPythonEchoServer,
  type PythonEchoServer,
} from '../fixtures/pythonPeer';
import { useExceptionReports } from '../helpers/exceptions';

const HOST = '127.0.0.1';
const NBYTES = 16 * 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;
const SEED = 20_240_607;

const maybe = python3Available() ? describe : describe.skip;
if (!python3Available()) {
  console.warn('asyncio interop specs skipped: `python3 --version` did not run successfully');
}

interface Digest {
  bytes: number;
  sha256: string;
}

/** An incremental SHA-256 over received chunks, with the byte count. */
class Hasher {
  private readonly hash = createHash('sha256');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  digest(): Digest {
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Subscribes to `data$` at once and resolves with the digest of everything up to completion. */
function digestOf(data$: Observable<Uint8Array>): Promise<Digest> {
  return new Promise<Digest>((resolve, reject) => {
    const hasher = new Hasher();
    data$.subscribe({
      next: (chunk) => {
        hasher.update(chunk);
      },
      error: reject,
      complete: () => {
        resolve(hasher.digest());
      },
    });
  });
}

const FLOW_EVENTS: readonly string[] = ['pauseWriting', 'resumeWriting'];

/**
 * Checks a protocol's recorded callbacks: the lifecycle is exactly `lifecycle`, and
 * `pauseWriting` and `resumeWriting` strictly alternate, starting with a pause and ending resumed.
 */
function expectCallbacks(events: readonly string[], lifecycle: readonly string[]): void {
  expect(events.filter((event) => !FLOW_EVENTS.includes(event))).toEqual(lifecycle);
  const flow = events.filter((event) => FLOW_EVENTS.includes(event));
  flow.forEach((event, index) => {
    expect(event).toBe(FLOW_EVENTS[index % 2]);
  });
  expect(flow.length % 2).toBe(0);
}

/** The TCP port a server listens on. */
function portOf(server: Server): number {
  const address = server.address();
  if (!('port' in address)) throw new Error(`not a TCP server: ${JSON.stringify(address)}`);
  return address.port;
}

/** A client protocol that streams its received bytes into a digest and records its lifecycle. */
class DigestingClientProtocol implements Protocol<SocketTransport> {
  readonly events: string[] = [];
  readonly hasher = new Hasher();
  readonly lost = deferred<Error | null>();
  transport: SocketTransport | null = null;
  private resumed: Deferred<void> | null = null;
  private lostWith: Error | null | undefined = undefined;

  connectionMade(transport: SocketTransport): void {
    this.events.push('connectionMade');
    this.transport = transport;
  }

  dataReceived(data: Uint8Array): void {
    this.hasher.update(data);
  }

  eofReceived(): void {
    // Our EOF went out before the echo server sent its own: let the transport close.
    this.events.push('eofReceived');
  }

  pauseWriting(): void {
    this.events.push('pauseWriting');
    this.resumed ??= deferred<void>();
  }

  resumeWriting(): void {
    this.events.push('resumeWriting');
    this.resumed?.resolve();
    this.resumed = null;
  }

  connectionLost(exc: Error | null): void {
    this.events.push('connectionLost');
    this.lostWith = exc;
    this.resumed?.reject(exc ?? new Error('connection lost while writing was paused'));
    this.resumed = null;
    this.lost.resolve(exc);
  }

  /** Resolves at once unless writing is paused; then on `resumeWriting`. */
  async writable(): Promise<void> {
    if (this.resumed !== null) await this.resumed.promise;
    if (this.lostWith !== undefined) throw this.lostWith ?? new Error('connection lost');
  }
}

/**
 * A server protocol that echoes, stops reading while its write buffer is over the high water
 * mark, and answers EOF with its own EOF, then closes (which waits for the echo to flush).
 */
class BackpressureEchoProtocol implements Protocol<SocketTransport> {
  readonly events: string[] = [];
  readonly hasher = new Hasher();
  readonly lost = deferred<Error | null>();
  private transport: SocketTransport | null = null;

  connectionMade(transport: SocketTransport): void {
    this.events.push('connectionMade');
    this.transport = transport;
  }

  dataReceived(data: Uint8Array): void {
    this.hasher.update(data);
    this.transport?.write(data);
  }

  eofReceived(): boolean {
    this.events.push('eofReceived');
    const transport = this.transport;
    if (transport !== null) {
      transport.writeEof();
      transport.close();
    }
    return true;
  }

  pauseWriting(): void {
    this.events.push('pauseWriting');
    this.transport?.pauseReading();
  }

  resumeWriting(): void {
    this.events.push('resumeWriting');
    this.transport?.resumeReading();
  }

  connectionLost(exc: Error | null): void {
    this.events.push('connectionLost');
    this.transport = null;
    this.lost.resolve(exc);
  }
}

maybe('asyncio interop', () => {
  // Built here rather than at collection time, so that a skipped run costs nothing.
  let payload: Uint8Array = new Uint8Array(0);
  let payloadSha256 = '';
  const transports: SocketTransport[] = [];
  const servers: Server[] = [];

  beforeAll(() => {
    payload = deterministicBytes(NBYTES, SEED);
    payloadSha256 = sha256(payload);
  });

  afterEach(async () => {
    for (const transport of transports.splice(0)) {
      transport.abort();
      await firstValueFrom(transport.closed$);
    }
    for (const server of servers.splice(0)) {
      server.close();
      server.abortClients();
      await server.waitClosed();
    }
  });
  // Declared after the cleanup, so that its check runs after it: what closing reports counts.
  const reported = useExceptionReports();

  describe('rxtransport client to a python asyncio echo server', () => {
    let python: PythonEchoServer | undefined;

    beforeAll(async () => {
      python = await startPythonEchoServer();
    });

    afterAll(async () => {
      await python?.stop();
    });

    it('echoes 16 MiB written through the Rx surfaces with backpressure', async () => {
      const transport = await createConnection({ host: HOST, port: python!.port });
      transports.push(transport);
      const [, high] = transport.getWriteBufferLimits();
      let writable = true;
      const writableSub = transport.writable$.subscribe((value) => {
        writable = value;
      });
      let maxBuffered = 0;

      const writeAll = async (): Promise<void> => {
        for (let offset = 0; offset < payload.byteLength; offset += CHUNK_SIZE) {
          if (!writable || transport.getWriteBufferSize() > high) await transport.drain();
          transport.write(payload.subarray(offset, offset + CHUNK_SIZE));
          maxBuffered = Math.max(maxBuffered, transport.getWriteBufferSize());
        }
        transport.writeEof();
      };
      // The digest subscribes to data$ before the first write.
      const [echoed] = await Promise.all([digestOf(transport.data$), writeAll()]);
      writableSub.unsubscribe();

      expect(echoed.bytes).toBe(NBYTES);
      expect(echoed.sha256).toBe(payloadSha256);
      expect(maxBuffered).toBeLessThanOrEqual(high + CHUNK_SIZE);
      // EOF received and sent: the transport closes itself, cleanly.
      await expect(firstValueFrom(transport.closed$)).resolves.toBeNull();
      expect(transport.isClosing()).toBe(true);
      expect(reported.take()).toEqual([]);
    });

    it('echoes 16 MiB written by a Protocol that pauses in pauseWriting', async () => {
      const protocol = new DigestingClientProtocol();
      const transport = await createConnection({
        host: HOST,
        port: python!.port,
        protocol: () => protocol,
      });
      transports.push(transport);
      expect(protocol.transport).toBe(transport);
      const [, high] = transport.getWriteBufferLimits();
      let maxBuffered = 0;

      for (let offset = 0; offset < payload.byteLength; offset += CHUNK_SIZE) {
        await protocol.writable();
        transport.write(payload.subarray(offset, offset + CHUNK_SIZE));
        maxBuffered = Math.max(maxBuffered, transport.getWriteBufferSize());
      }
      transport.writeEof();

      await expect(protocol.lost.promise).resolves.toBeNull();
      const echoed = protocol.hasher.digest();
      expect(echoed.bytes).toBe(NBYTES);
      expect(echoed.sha256).toBe(payloadSha256);
      expect(maxBuffered).toBeLessThanOrEqual(high + CHUNK_SIZE);
      expectCallbacks(protocol.events, ['connectionMade', 'eofReceived', 'connectionLost']);
      await expect(firstValueFrom(transport.closed$)).resolves.toBeNull();
      expect(reported.take()).toEqual([]);
    });
  });

  describe('python asyncio client to an rxtransport server', () => {
    it('is echoed 16 MiB by a server using the Rx surfaces', async () => {
      const server = await createServer({ host: HOST, port: 0 });
      servers.push(server);
      const clients: SocketTransport[] = [];
      const digests: Promise<Digest>[] = [];
      server.connections$.subscribe((client) => {
        clients.push(client);
        // Two subscribers of the hot data$: a digest of what arrives, and the echo.
        digests.push(digestOf(client.data$));
        client.data$.subscribe(client.sink);
      });

      const result = await runPythonClient(portOf(server), NBYTES, SEED);

      expect(result.sent).toBe(NBYTES);
      expect(result.received).toBe(result.sent);
      expect(result.sha256_received).toBe(result.sha256_sent);
      expect(clients).toHaveLength(1);
      const [seen] = await Promise.all(digests);
      expect(seen).toEqual({ bytes: NBYTES, sha256: result.sha256_sent });
      await expect(firstValueFrom(clients[0]!.closed$)).resolves.toBeNull();
      expect(reported.take()).toEqual([]);
    });

    it('is echoed 16 MiB by a Protocol server that pauses reading while writing is paused', async () => {
      const protocols: BackpressureEchoProtocol[] = [];
      const server = await createServer({
        host: HOST,
        port: 0,
        protocol: () => {
          const protocol = new BackpressureEchoProtocol();
          protocols.push(protocol);
          return protocol;
        },
      });
      servers.push(server);

      const result = await runPythonClient(portOf(server), NBYTES, SEED);

      expect(result.sent).toBe(NBYTES);
      expect(result.received).toBe(result.sent);
      expect(result.sha256_received).toBe(result.sha256_sent);
      expect(protocols).toHaveLength(1);
      const protocol = protocols[0]!;
      await expect(protocol.lost.promise).resolves.toBeNull();
      expect(protocol.hasher.digest()).toEqual({ bytes: NBYTES, sha256: result.sha256_sent });
      expectCallbacks(protocol.events, ['connectionMade', 'eofReceived', 'connectionLost']);
      expect(reported.take()).toEqual([]);
    });
  });
});
