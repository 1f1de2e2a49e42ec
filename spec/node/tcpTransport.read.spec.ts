/**
 * TCP transport read side over real loopback sockets, through createConnection.
 */

import { createConnection, type SocketTransport } from '../../src/index';
import { Hasher, patternBytes, patternDigest, sha256, utf8, writeChunked } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { nextConnection, startEchoServer, startServer } from '../helpers/servers';
import { HOST, socketOf } from '../helpers/sockets';
import { closedValue, collect, record } from '../helpers/streams';
import { turns, waitFor, waitForStable } from '../helpers/waits';
import { startWriterPeer, type WriterPeer } from '../helpers/writerPeer';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

describe('TCP transport read side', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function connect(port: number): Promise<SocketTransport> {
    return resources.transport(await createConnection({ host: HOST, port }));
  }

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
});
