/**
 * createServer with a protocol factory, over real loopback sockets: asyncio's callbacks per
 * accepted connection.
 */

import { createConnection, type Protocol, type SocketTransport } from '../../src/index';
import { Hasher, patternBytes, sha256, writeChunked } from '../helpers/bytes';
import { MiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { nextConnection, startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { closedValue, record } from '../helpers/streams';
import { waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

describe('createServer with a protocol factory', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const reports = useExceptionReports();

  async function connect(port: number): Promise<SocketTransport> {
    return resources.transport(await createConnection({ host: HOST, port }));
  }

  describe('protocol option', () => {
    it('echoes 8 MiB through Protocol objects with asyncio callback order', async () => {
      const serverEvents: string[][] = [];
      const { port } = await startServer(resources, {
        protocol: () => {
          const events: string[] = [];
          serverEvents.push(events);
          let transport: SocketTransport | null = null;
          return {
            connectionMade: (t) => {
              events.push('made');
              transport = t;
            },
            dataReceived: (data) => {
              events.push('data');
              transport?.write(data);
            },
            eofReceived: () => {
              // Returning nothing closes the transport once the echo is flushed [R5].
              events.push('eof');
            },
            connectionLost: (exc) => events.push(`lost:${String(exc)}`),
          } satisfies Protocol<SocketTransport>;
        },
      });

      const clientEvents: string[] = [];
      const received = new Hasher();
      let madeWith: SocketTransport | null = null;
      const client = resources.transport(
        await createConnection({
          host: HOST,
          port,
          protocol: () => ({
            connectionMade: (t) => {
              madeWith = t;
              clientEvents.push('made');
            },
            dataReceived: (data) => {
              clientEvents.push('data');
              received.update(data);
            },
            eofReceived: () => {
              clientEvents.push('eof');
            },
            connectionLost: (exc) => clientEvents.push(`lost:${String(exc)}`),
            pauseWriting: () => clientEvents.push('pause'),
            resumeWriting: () => clientEvents.push('resume'),
          }),
        }),
      );
      // createConnection resolves after connectionMade ran [S1].
      expect(clientEvents).toEqual(['made']);
      expect(madeWith).toBe(client);

      const payload = patternBytes(8 * MiB);
      writeChunked((chunk) => {
        client.write(chunk);
      }, payload);
      client.writeEof();
      expect(await closedValue(client)).toBeNull();
      expect(received.bytes).toBe(payload.byteLength);
      expect(received.digest()).toBe(sha256(payload));

      expect(serverEvents).toHaveLength(1);
      const serverSide = serverEvents[0]!;
      await waitFor(() => serverSide.includes('lost:null'), 'the server side to close');
      for (const events of [clientEvents, serverSide]) {
        expect(events[0]).toBe('made');
        expect(events.filter((e) => e === 'made')).toHaveLength(1);
        expect(events.filter((e) => e.startsWith('lost'))).toEqual(['lost:null']);
        expect(events[events.length - 1]).toBe('lost:null');
        expect(events.filter((e) => e === 'eof')).toHaveLength(1);
        expect(events.lastIndexOf('data')).toBeLessThan(events.indexOf('eof'));
      }
      expect(clientEvents).toContain('pause');
      expect(clientEvents.filter((e) => e === 'pause')).toHaveLength(
        clientEvents.filter((e) => e === 'resume').length,
      );
      expect(reports.take()).toEqual([]);
    });

    it('reports a throwing protocol factory to the exception handler and closes that connection', async () => {
      const boom = new Error('no protocol for you');
      let calls = 0;
      const { server, port } = await startServer(resources, {
        protocol: () => {
          calls += 1;
          if (calls === 1) throw boom;
          return {};
        },
      });
      const refused = await connect(port);
      const refusedData = record(refused.data$);
      await waitFor(() => refusedData.ended !== null, 'the connection to be closed');
      expect(refusedData.chunks).toEqual([]);
      const reported = reports.take();
      expect(reported).toHaveLength(1);
      expect(reported[0]!.exception).toBe(boom);
      expect(reported[0]!.message).toMatch(/transport creation|incoming connection/);

      // The server goes on serving.
      expect(server.isServing()).toBe(true);
      const accepted = nextConnection(server);
      await connect(port);
      await accepted;
      expect(calls).toBe(2);
    });
  });
});
