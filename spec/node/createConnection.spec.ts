/**
 * createConnection over real loopback sockets: the client side of a TCP transport, its write
 * and read paths, half-close, flow control and error mapping.
 */
import * as net from 'node:net';
import { types } from 'node:util';
import {
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  createConnection,
  setExceptionHandler,
  TransportClosedError,
  TransportError,
  TransportOSError,
  WriteAfterEofError,
  type ExceptionContext,
  type Protocol,
  type SocketTransport,
} from '../../src/index';
import { Hasher, patternBytes, patternDigest, sha256, utf8, writeChunked } from '../helpers/bytes';
import {
  HOST,
  KiB,
  MiB,
  closedValue,
  collect,
  netHandleCount,
  nextConnection,
  readAll,
  record,
  rejectionOf,
  socketOf,
  startEchoServer,
  startRawServer,
  startServer,
  thrownBy,
  turns,
  unusedPort,
  useResources,
  waitFor,
  waitForStable,
} from '../helpers/net';
import { startWriterPeer, type WriterPeer } from '../helpers/writerPeer';

describe('createConnection', () => {
  const resources = useResources();
  const reports: ExceptionContext[] = [];

  beforeEach(() => {
    reports.length = 0;
    setExceptionHandler((context) => reports.push(context));
  });

  afterEach(() => {
    setExceptionHandler(null);
  });

  async function connect(port: number): Promise<SocketTransport> {
    return resources.transport(await createConnection({ host: HOST, port }));
  }

  it('resolves to an open transport that is reading and writable', async () => {
    const { port } = await startEchoServer(resources);
    const client = await connect(port);
    expect(client.isClosing()).toBe(false);
    expect(client.isReading()).toBe(true);
    expect(client.canWriteEof()).toBe(true);
    expect(client.getWriteBufferSize()).toBe(0);
    expect(client.getWriteBufferLimits()).toEqual([16 * KiB, 64 * KiB]);
    const writable: boolean[] = [];
    client.writable$.subscribe((value) => writable.push(value));
    expect(writable).toEqual([true]);
  });

  it('binds the local address given as localAddr', async () => {
    const { port } = await startEchoServer(resources);
    const client = resources.transport(
      await createConnection({ host: HOST, port, localAddr: { host: HOST } }),
    );
    expect(client.getExtraInfo('sockname')).toEqual(
      expect.objectContaining({ host: HOST, family: 'IPv4' }),
    );
  });

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

  describe('protocol option', () => {
    it('keeps the transport open when eofReceived returns true', async () => {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const events: string[] = [];
      let transport: SocketTransport | null = null;
      const protocol: Protocol<SocketTransport> = {
        connectionMade: (t) => {
          transport = t;
          events.push('made');
        },
        dataReceived: (data) => events.push(`data:${Buffer.from(data).toString()}`),
        eofReceived: () => {
          events.push('eof');
          return true;
        },
        connectionLost: (exc) => events.push(`lost:${String(exc)}`),
      };
      const client = resources.transport(
        await createConnection({ host: HOST, port, protocol: () => protocol }),
      );
      expect(transport).toBe(client);
      expect(client.getProtocol()).toBe(protocol);
      const serverSide = await accepted;
      const serverData = record(serverSide.data$);

      serverSide.write(utf8('bye'));
      serverSide.writeEof();
      await waitFor(() => events.includes('eof'), 'eofReceived');
      await turns(2);
      expect(client.isClosing()).toBe(false);
      client.write(utf8('still here'));
      await waitFor(() => serverData.bytes().toString() === 'still here', 'the late write');
      expect(events).toEqual(['made', 'data:bye', 'eof']);

      client.close();
      expect(await closedValue(client)).toBeNull();
      expect(events).toEqual(['made', 'data:bye', 'eof', 'lost:null']);
    });

    it('closes the transport when eofReceived returns nothing', async () => {
      const { server, port } = await startServer(resources);
      server.connections$.subscribe((serverSide) => {
        serverSide.writeEof();
      });
      const events: string[] = [];
      let closingAtEof: boolean | null = null;
      const client = resources.transport(
        await createConnection({
          host: HOST,
          port,
          protocol: () => ({
            connectionMade: () => events.push('made'),
            eofReceived: () => {
              events.push('eof');
            },
            connectionLost: (exc) => {
              closingAtEof ??= client.isClosing();
              events.push(`lost:${String(exc)}`);
            },
          }),
        }),
      );
      expect(await closedValue(client)).toBeNull();
      expect(client.isClosing()).toBe(true);
      expect(closingAtEof).toBe(true);
      expect(events).toEqual(['made', 'eof', 'lost:null']);
      expect(() => {
        client.write(utf8('x'));
      }).toThrow(TransportClosedError);
    });

    it('rejects with what the protocol factory threw and closes the socket', async () => {
      const { server, port } = await startServer(resources);
      const serverData = new Promise<Buffer>((resolve, reject) => {
        server.connections$.subscribe((serverSide) => {
          collect(serverSide.data$).then(resolve, reject);
        });
      });
      const boom = new Error('factory failed');
      const error = await rejectionOf(
        createConnection({
          host: HOST,
          port,
          protocol: () => {
            throw boom;
          },
        }),
      );
      expect(error).toBe(boom);
      // The server side sees the connection end.
      expect((await serverData).byteLength).toBe(0);
    });

    it('aborts on an exception from dataReceived and hands it to connectionLost', async () => {
      const raw = await startRawServer(resources, (socket) => {
        socket.write('trigger');
      });
      const receipt = raw.firstSocket.then(readAll);
      const boom = new Error('bad frame');
      const lost: (Error | null)[] = [];
      const client = resources.transport(
        await createConnection({
          host: HOST,
          port: raw.port,
          protocol: () => ({
            dataReceived: () => {
              throw boom;
            },
            connectionLost: (exc) => lost.push(exc),
          }),
        }),
      );
      // The fatal-error path [E3]: reported, force-closed, connectionLost(exc).
      expect(await closedValue(client)).toBe(boom);
      expect(lost).toEqual([boom]);
      expect(reports.map((r) => r.exception)).toEqual([boom]);
      expect(['end', 'ECONNRESET']).toContain((await receipt).ending);
    });

    it('reports exceptions from connectionMade and connectionLost without closing early', async () => {
      const { port } = await startEchoServer(resources);
      const made = new Error('in connectionMade');
      const lost = new Error('in connectionLost');
      const received: Uint8Array[] = [];
      const client = resources.transport(
        await createConnection({
          host: HOST,
          port,
          protocol: () => ({
            connectionMade: () => {
              throw made;
            },
            dataReceived: (data) => received.push(data),
            connectionLost: () => {
              throw lost;
            },
          }),
        }),
      );
      // [E4]: a plain callback's exception is reported; the connection goes on.
      expect(reports.map((r) => r.exception)).toEqual([made]);
      expect(client.isClosing()).toBe(false);
      client.write(utf8('alive'));
      client.writeEof();
      expect(await closedValue(client)).toBeNull();
      expect(Buffer.concat(received).toString()).toBe('alive');
      expect(reports.map((r) => r.exception)).toEqual([made, lost]);
    });

    it('delivers pauseWriting and resumeWriting in strict alternation', async () => {
      const { port } = await startEchoServer(resources);
      const events: string[] = [];
      const received = new Hasher();
      const client = resources.transport(
        await createConnection({
          host: HOST,
          port,
          protocol: () => ({
            dataReceived: (data) => {
              received.update(data);
            },
            pauseWriting: () => events.push('pause'),
            resumeWriting: () => events.push('resume'),
          }),
        }),
      );
      const payload = patternBytes(4 * MiB);
      writeChunked((chunk) => {
        client.write(chunk);
      }, payload);
      expect(events[0]).toBe('pause');
      client.writeEof();
      expect(await closedValue(client)).toBeNull();
      expect(received.bytes).toBe(payload.byteLength);
      expect(events.length % 2).toBe(0);
      events.forEach((event, index) => {
        expect(event).toBe(index % 2 === 0 ? 'pause' : 'resume');
      });
    });
  });

  describe('data$', () => {
    it('holds data that arrives before the first subscriber', async () => {
      const { server, port } = await startServer(resources);
      server.connections$.subscribe((serverSide) => {
        serverSide.write(utf8('early bird'));
        serverSide.writeEof();
      });
      const client = await connect(port);
      // Wait until the bytes have been read from the socket, with nobody subscribed.
      await waitFor(() => socketOf(client).bytesRead === 10, 'the early bytes to be read');
      await turns(2);
      expect((await collect(client.data$)).toString()).toBe('early bird');
    });

    it('pauses reading once 64 KiB are held for a subscriber, and loses nothing', async () => {
      const total = 16 * MiB;
      const payload = patternBytes(total);
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const client = await connect(port);
      const serverSide = await accepted;
      writeChunked((chunk) => {
        serverSide.write(chunk);
      }, payload);
      serverSide.writeEof();
      const socket = socketOf(client);
      // Nobody subscribes: reading stops once 64 KiB are held, so the transfer stalls.
      const read = await waitForStable(() => socket.bytesRead, 'bytes read by the client');
      expect(read).toBeGreaterThanOrEqual(64 * KiB);
      expect(read).toBeLessThan(1 * MiB);
      expect(serverSide.getWriteBufferSize()).toBeGreaterThan(0);

      const received = await collect(client.data$);
      expect(received.byteLength).toBe(total);
      expect(sha256(received)).toBe(sha256(payload));
    });

    it('hands held chunks to the next subscriber only (no replay)', async () => {
      const { server, port } = await startServer(resources);
      server.connections$.subscribe((serverSide) => {
        serverSide.write(utf8('once'));
      });
      const client = await connect(port);
      await waitFor(() => socketOf(client).bytesRead === 4, 'the bytes to be read');
      const first = record(client.data$);
      const second = record(client.data$);
      expect(first.bytes().toString()).toBe('once');
      expect(second.chunks).toEqual([]);
    });
  });

  describe('pauseReading', () => {
    let peer: WriterPeer | null = null;

    afterEach(async () => {
      await peer?.stop();
      peer = null;
    });

    it('stalls a 64 MiB writer in another process with bounded memory, then resumes intact', async () => {
      const total = 64 * MiB;
      peer = await startWriterPeer(total);
      const before = process.memoryUsage();
      const client = await connect(peer.port);
      const received = new Hasher();
      let paused = false;
      let pausedOnce = false;
      let bytesWhilePaused = 0;
      const ended = new Promise<void>((resolve, reject) => {
        client.data$.subscribe({
          next: (chunk) => {
            received.update(chunk);
            if (paused) {
              bytesWhilePaused += chunk.byteLength;
            } else if (!pausedOnce && received.bytes >= 256 * KiB) {
              // Pause while the peer is mid-stream.
              paused = true;
              pausedOnce = true;
              client.pauseReading();
            }
          },
          error: reject,
          complete: resolve,
        });
      });

      const written = await peer.written;
      expect(written.sawUnwritable).toBe(true);
      await waitFor(() => paused, 'the reader to pause');
      expect(client.isReading()).toBe(false);
      const socket = socketOf(client);
      const read = await waitForStable(() => socket.bytesRead, 'bytes read by the client');
      const during = process.memoryUsage();
      const status = await peer.status();

      // Paused means paused: nothing more reaches data$, and the kernel holds the rest back.
      expect(bytesWhilePaused).toBe(0);
      expect(read).toBeLessThan(4 * MiB);
      // The writer's buffer took the backlog: it is not writable and holds many MiB.
      expect(status.writable).toBe(false);
      expect(status.bufferSize).toBeGreaterThan(8 * MiB);
      expect(status.bufferSize).toBeGreaterThan(written.bufferSize / 2);
      // The reader's memory stays small while the peer holds the backlog.
      expect(during.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * MiB);
      expect(during.rss - before.rss).toBeLessThan(32 * MiB);

      paused = false;
      client.resumeReading();
      expect(client.isReading()).toBe(true);
      await ended;
      expect(received.bytes).toBe(total);
      expect(received.digest()).toBe(patternDigest(total));
      client.writeEof();
      expect(await closedValue(client)).toBeNull();
      expect(await peer.closed).toBeNull();
      expect(await peer.exited).toBe(0);
    });

    it('is idempotent, and a no-op once closing', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      client.pauseReading();
      client.pauseReading();
      expect(client.isReading()).toBe(false);
      client.resumeReading();
      client.resumeReading();
      expect(client.isReading()).toBe(true);
      client.close();
      client.resumeReading();
      expect(client.isReading()).toBe(false);
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

  describe('errors', () => {
    it('rejects with ConnectionRefusedError when nothing listens', async () => {
      const port = await unusedPort();
      const handles = netHandleCount();
      const error = await rejectionOf(createConnection({ host: HOST, port }));
      expect(error).toBeInstanceOf(ConnectionRefusedError);
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({
        name: 'ConnectionRefusedError',
        code: 'ECONNREFUSED',
        syscall: 'connect',
        errno: expect.any(Number) as unknown,
      });
      const cause = (error as Error).cause;
      // Node's own error (from Node's realm: not `instanceof` the test's Error under jest).
      expect(types.isNativeError(cause)).toBe(true);
      expect(cause).toHaveProperty('code', 'ECONNREFUSED');
      await turns(3);
      expect(netHandleCount()).toBeLessThanOrEqual(handles);
    });

    it('reports a peer reset during writes on closed$ and data$, with nothing uncaught', async () => {
      const raw = await startRawServer(resources, (socket) => {
        socket.once('data', () => {
          socket.resetAndDestroy();
        });
      });
      const client = await connect(raw.port);
      const data = record(client.data$);
      const closed = closedValue(client);
      const chunk = patternBytes(64 * KiB);
      let written = 0;
      // Keep writing, a chunk per turn, until the transport learns of the reset.
      while (!client.isClosing()) {
        client.write(chunk);
        written += chunk.byteLength;
        if (written > 1024 * MiB) throw new Error('the reset was never noticed');
        await turns(1);
      }
      const error = await closed;
      expect(error).toBeInstanceOf(TransportOSError);
      expect([ConnectionResetError, BrokenPipeError]).toContain(error?.constructor);
      expect(['ECONNRESET', 'EPIPE']).toContain((error as TransportOSError).code);
      expect((error as TransportOSError).cause).toHaveProperty(
        'code',
        (error as TransportOSError).code,
      );
      await waitFor(() => data.ended !== null, 'data$ to end');
      expect(data.ended).toBe('error');
      expect(data.error).toBe(error);
      expect(() => {
        client.write(chunk);
      }).toThrow(TransportClosedError);
      // OS errors are not the exception handler's business [E1]. (Anything uncaught would fail
      // this test by itself: jest-circus fails the running test on an uncaught exception or an
      // unhandled rejection. A process.on('uncaughtException') spy would never fire here, since
      // test files get a sandboxed `process` whose events jest does not forward.)
      expect(reports).toEqual([]);
    });
  });

  describe('getExtraInfo', () => {
    it('gives peername and sockname as { host, port, family } and the net.Socket', async () => {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const client = await connect(port);
      const serverSide = await accepted;
      const peername = client.getExtraInfo('peername');
      const sockname = client.getExtraInfo('sockname');
      expect(peername).toEqual({ host: HOST, port, family: 'IPv4' });
      expect(sockname).toEqual({ host: HOST, port: expect.any(Number) as unknown, family: 'IPv4' });
      expect(serverSide.getExtraInfo('peername')).toEqual(sockname);
      expect(serverSide.getExtraInfo('sockname')).toEqual(peername);
      const socket = client.getExtraInfo('socket');
      expect(socket).toBeInstanceOf(net.Socket);
      expect((socket as net.Socket).remotePort).toBe(port);
    });

    it('gives the default for an unknown name', async () => {
      const { port } = await startEchoServer(resources);
      const client = await connect(port);
      expect(client.getExtraInfo('nonexistent')).toBeUndefined();
      expect(client.getExtraInfo('nonexistent', 'fallback')).toBe('fallback');
      expect(client.getExtraInfo('toString', 'own keys only')).toBe('own keys only');
    });
  });

  describe('validation', () => {
    const protocol = () => ({});
    const cases: [string, string, string, unknown][] = [
      ['options undefined', 'TypeError', 'ERR_INVALID_ARG_TYPE', undefined],
      ['options null', 'TypeError', 'ERR_INVALID_ARG_TYPE', null],
      ['options a string', 'TypeError', 'ERR_INVALID_ARG_TYPE', 'localhost:80'],
      ['options an array', 'TypeError', 'ERR_INVALID_ARG_TYPE', [HOST, 80]],
      ['a missing host', 'TypeError', 'ERR_INVALID_ARG_TYPE', { port: 80 }],
      ['a numeric host', 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: 127, port: 80 }],
      ['a missing port', 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: HOST }],
      ['port -1', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: -1 }],
      ['port 0', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 0 }],
      ['port 70000', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 70000 }],
      ['port 1.5', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: 1.5 }],
      ['port NaN', 'RangeError', 'ERR_OUT_OF_RANGE', { host: HOST, port: NaN }],
      ["port '80'", 'TypeError', 'ERR_INVALID_ARG_TYPE', { host: HOST, port: '80' }],
      [
        'a protocol object',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { host: HOST, port: 80, protocol: {} },
      ],
      [
        'a non-boolean noDelay',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { host: HOST, port: 80, noDelay: 1 },
      ],
      [
        'a string localAddr',
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        { host: HOST, port: 80, localAddr: HOST },
      ],
      [
        'localAddr port -1',
        'RangeError',
        'ERR_OUT_OF_RANGE',
        { host: HOST, port: 80, localAddr: { host: HOST, port: -1 } },
      ],
    ];

    it.each(cases)(
      'rejects %s with %s %s and opens nothing',
      async (_name, type, code, options) => {
        const handles = netHandleCount();
        const error = await rejectionOf(createConnection(options as never));
        expect((error as Error).constructor.name).toBe(type);
        expect(error).toHaveProperty('code', code);
        await turns(2);
        expect(netHandleCount()).toBeLessThanOrEqual(handles);
      },
    );

    it('accepts a valid protocol factory', async () => {
      const { port } = await startEchoServer(resources);
      const client = resources.transport(await createConnection({ host: HOST, port, protocol }));
      expect(client.isClosing()).toBe(false);
    });
  });
});
