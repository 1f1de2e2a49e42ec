/**
 * TCP transport with a protocol over real loopback sockets, through createConnection.
 */

import {
  createConnection,
  TransportClosedError,
  type Protocol,
  type SocketTransport,
} from '../../src/index';
import { Hasher, patternBytes, utf8 } from '../helpers/bytes';
import { MiB } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { readAll, startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { nextConnection, startEchoServer, startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { closedValue, collect, record } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

describe('TCP transport with a protocol', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const reports = useExceptionReports();

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
      expect(reports.take().map((r) => r.exception)).toEqual([boom]);
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
      expect(reports.take().map((r) => r.exception)).toEqual([made]);
      expect(client.isClosing()).toBe(false);
      client.write(utf8('alive'));
      client.writeEof();
      expect(await closedValue(client)).toBeNull();
      expect(Buffer.concat(received).toString()).toBe('alive');
      expect(reports.take().map((r) => r.exception)).toEqual([lost]);
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
      // Written in one turn until the buffer passes the high mark: how much the kernel takes
      // first depends on the machine's socket buffer sizes, so the amount is not fixed.
      const chunk = patternBytes(64 * 1024);
      let written = 0;
      while (events.length === 0 && written < 512 * MiB) {
        client.write(chunk);
        written += chunk.byteLength;
      }
      expect(events[0]).toBe('pause');
      client.writeEof();
      expect(await closedValue(client)).toBeNull();
      expect(received.bytes).toBe(written);
      expect(events.length % 2).toBe(0);
      events.forEach((event, index) => {
        expect(event).toBe(index % 2 === 0 ? 'pause' : 'resume');
      });
    });
  });
});
