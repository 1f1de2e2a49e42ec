/**
 * A connection accepted in the same turn as `server.close()`: its `connectionMade` comes after
 * the call, and it must still be emitted by `connections$` (before it completes), never left
 * neither emitted nor closed.
 */

import { lastValueFrom, toArray } from 'rxjs';
import { createConnection, createServer, type Server, type SocketTransport } from '../../src/index';
import { HOST, inetAddressOf, useResources } from '../helpers/net';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

describe('server.close() in the turn a connection was accepted', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  it('still emits the connection, then completes connections$', async () => {
    let server: Server | null = null;
    let made: SocketTransport | null = null;
    server = resources.server(
      await createServer({
        host: HOST,
        port: 0,
        // The factory runs in the accept's own turn: closing here is closing in that turn.
        protocol: () => {
          server!.close();
          return {
            connectionMade: (transport: SocketTransport) => {
              made = transport;
            },
          };
        },
      }),
    );
    const emitted = lastValueFrom(server.connections$.pipe(toArray()));
    const client = resources.transport(
      await createConnection({ host: HOST, port: inetAddressOf(server).port }),
    );
    const connections = await emitted;
    expect(connections).toHaveLength(1);
    expect(connections[0]).toBe(made);
    expect(server.isServing()).toBe(false);
    // The emitted connection is a live one: the subscriber can use it and close it.
    connections[0]!.close();
    client.close();
    await server.waitClosed();
  });
});
