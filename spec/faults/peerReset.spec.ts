/**
 * Faults: the peer resets the connection (RST) while we write, while it writes to us, and while
 * the connection is idle, on both sides of a real loopback TCP connection. What the peer got
 * must be an exact prefix of what we wrote; the loss is a typed `TransportOSError`; nothing goes
 * to the exception handler (OS errors are not reported [E1]) and no handle is left open.
 */
import * as net from 'node:net';
import { TransportClosedError, createConnection, type SocketTransport } from '../../src/index';
import { patternBytes, utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { rejectionOf, thrownBy } from '../helpers/outcomes';
import { startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { nextConnection, startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { closedValue, record } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { within } from '../helpers/process';
import { countingProtocol, expectOSError, expectPrefix, rawCollect } from './faultHelpers';

/** Codes a reset shows as: on a read, or on a write into the reset socket. */
const RESET_CODES = ['ECONNRESET', 'EPIPE'];

describe('a peer that resets the connection', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  /** A raw peer that reads `threshold` bytes of what we send, then resets. */
  async function resettingPeer(threshold: number) {
    let received: Buffer[] = [];
    let reset = false;
    const raw = await startRawServer(resources, (socket) => {
      socket.on('data', (chunk: Buffer) => {
        if (reset) return;
        received.push(chunk);
        if (Buffer.concat(received).byteLength >= threshold) {
          reset = true;
          socket.resetAndDestroy();
        }
      });
      socket.on('error', () => undefined);
    });
    return {
      port: raw.port,
      received: () => Buffer.concat(received),
      wasReset: () => reset,
      clear: () => (received = []),
    };
  }

  describe('while we write 32 MiB', () => {
    it('loses the connection with ConnectionResetError or BrokenPipeError; the peer got a prefix', async () => {
      const peer = await resettingPeer(MiB);
      const client = resources.transport(await createConnection({ host: HOST, port: peer.port }));
      const data = record(client.data$);
      const payload = patternBytes(32 * MiB);
      client.write(payload);
      const drained = client.drain();
      drained.catch(() => undefined);

      const error = await within(closedValue(client), 'the reset to be noticed');
      expectOSError(error, RESET_CODES);
      expect(peer.wasReset()).toBe(true);
      expectPrefix(peer.received(), payload);
      // data$ ends with the same error; the buffer is dropped; drain() rejects with it.
      expect(data.ended).toBe('error');
      expect(data.error).toBe(error);
      expect(client.isClosing()).toBe(true);
      expect(client.getWriteBufferSize()).toBe(0);
      expect(await rejectionOf(drained)).toBe(error);
      const late = thrownBy(() => {
        client.write(utf8('late'));
      });
      expect(late).toBeInstanceOf(TransportClosedError);
      expect(late).toHaveProperty('code', 'ERR_TRANSPORT_CLOSED');
    });

    it('delivers connectionLost(error) exactly once, after pauseWriting, to a protocol', async () => {
      const peer = await resettingPeer(MiB);
      const counting = countingProtocol();
      const client = resources.transport(
        await createConnection({ host: HOST, port: peer.port, protocol: () => counting.protocol }),
      );
      const payload = patternBytes(32 * MiB);
      client.write(payload);
      const error = await within(counting.done, 'connectionLost');
      expectOSError(error, RESET_CODES);
      await turns(5);
      expect(counting.lost).toEqual([error]);
      expect(counting.events).toEqual(['made', 'pause', 'lost']);
      expect(await closedValue(client)).toBe(error);
      expectPrefix(peer.received(), payload);
    });

    it('loses nothing it wrote before the reset when the peer resets after reading everything', async () => {
      // The peer reads all 4 MiB, then resets: every byte must have reached it.
      const payload = patternBytes(4 * MiB);
      const peer = await resettingPeer(payload.byteLength);
      const client = resources.transport(await createConnection({ host: HOST, port: peer.port }));
      client.write(payload);
      await waitFor(peer.wasReset, 'the peer to read everything and reset');
      expectPrefix(peer.received(), payload);
      expect(peer.received().byteLength).toBe(payload.byteLength);
      // Writing into the reset connection is what tells us.
      while (!client.isClosing()) {
        client.write(utf8('probe'));
        await turns(1);
      }
      expectOSError(await closedValue(client), RESET_CODES);
    });
  });

  describe('while it writes to us', () => {
    it('delivers a prefix of its bytes, then the reset, typed (on a read or on our next write)', async () => {
      const payload = patternBytes(8 * MiB);
      // The peer starts once we are connected (our first byte), writes 2 MiB, then resets.
      const raw = await startRawServer(resources, (socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => {
          socket.write(payload.subarray(0, 2 * MiB), () => {
            socket.resetAndDestroy();
          });
        });
      });
      const client = resources.transport(await createConnection({ host: HOST, port: raw.port }));
      const data = record(client.data$);
      client.write(utf8('go'));
      await waitFor(() => data.ended !== null, 'data$ to end');
      expectPrefix(data.bytes(), payload);
      if (data.ended === 'error') {
        // The reset came in on a read.
        expectOSError(data.error, ['ECONNRESET']);
        expect(await closedValue(client)).toBe(data.error);
      } else {
        // Linux may end the read side with EOF when the RST discarded what was in flight:
        // the connection stays half-open (asyncio streams do too) until a write meets the reset.
        expect(client.isClosing()).toBe(false);
        while (!client.isClosing()) {
          client.write(utf8('probe'));
          await turns(1);
        }
        expectOSError(await within(closedValue(client), 'the reset'), RESET_CODES);
      }
    });
  });

  describe('on an idle connection', () => {
    it('reports ConnectionResetError ECONNRESET on closed$', async () => {
      const raw = await startRawServer(resources, (socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => socket.resetAndDestroy());
      });
      const client = resources.transport(await createConnection({ host: HOST, port: raw.port }));
      const data = record(client.data$);
      client.write(utf8('x'));
      const error = await within(closedValue(client), 'the reset');
      expectOSError(error, ['ECONNRESET', 'EPIPE']);
      expect(client.isReading()).toBe(false);
      expect(data.error).toBe(error);
    });
  });

  describe('during the connection handshake', () => {
    it('rejects createConnection with ConnectionResetError, or loses the connection with it', async () => {
      // The peer resets as soon as it accepts: libuv may see the RST before the connect
      // completes (createConnection rejects) or just after (closed$ gets it).
      const raw = await startRawServer(resources, (socket) => {
        socket.on('error', () => undefined);
        socket.resetAndDestroy();
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        let client: SocketTransport;
        try {
          client = resources.transport(await createConnection({ host: HOST, port: raw.port }));
        } catch (error) {
          expectOSError(error, ['ECONNRESET']);
          outcomes.push('rejected');
          continue;
        }
        const error = await within(closedValue(client), 'the reset');
        // A clean EOF is possible too, when the kernel turned the reset into a FIN.
        if (error !== null) expectOSError(error, RESET_CODES);
        outcomes.push(error === null ? 'eof' : 'lost');
      }
      expect(outcomes).toHaveLength(20);
    });
  });

  describe('on the server side', () => {
    it('a client reset while the server writes 32 MiB errors that connection only', async () => {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const socket = resources.rawSocket(net.connect(port, HOST));
      socket.on('error', () => undefined);
      const collector = rawCollect(socket);
      const serverSide = await accepted;
      const payload = patternBytes(32 * MiB);
      serverSide.write(payload);
      await waitFor(() => collector.bytes().byteLength >= MiB, 'the client to read 1 MiB');
      socket.resetAndDestroy();

      const error = await within(closedValue(serverSide), 'the reset');
      expectOSError(error, RESET_CODES);
      expectPrefix(collector.bytes(), payload);
      // The server goes on serving.
      expect(server.isServing()).toBe(true);
      const another = nextConnection(server);
      const client: SocketTransport = resources.transport(
        await createConnection({ host: HOST, port }),
      );
      const other = await another;
      const otherData = record(other.data$);
      client.write(utf8('still here'));
      await waitFor(() => otherData.bytes().toString() === 'still here', 'a new connection');
    });
  });
});
