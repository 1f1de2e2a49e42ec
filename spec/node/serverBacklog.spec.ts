/**
 * The default listen backlog is Node's 511, not asyncio's 100 [V1, N6]: 500 clients connecting
 * at once (all in one turn, before the server accepts any) are all served, over TCP and over a
 * Unix socket.
 */
import { connect, type Socket } from 'node:net';
import { createServer, createUnixServer, type Server } from '../../src/index';
import { HOST, inetAddressOf, tmpSocketPath, useResources } from '../helpers/net';
import { useLeakCheck } from '../helpers/leaks';

const CLIENTS = 500;

describe('the default backlog', () => {
  const resources = useResources();
  useLeakCheck(resources);

  /** An echo server over the Rx surfaces. */
  function echo(server: Server): Server {
    server.connections$.subscribe((client) => {
      client.data$.subscribe(client.sink);
    });
    return resources.server(server);
  }

  /** Resolves with what happened to one client: its echo, or the error it got. */
  function served(socket: Socket, index: number): Promise<string> {
    resources.rawSocket(socket);
    return new Promise((settle) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        settle(`error ${error.code ?? error.message}`);
      });
      socket.on('end', () => {
        settle(Buffer.concat(chunks).toString());
      });
      socket.end(`client ${index}`);
    });
  }

  async function connectAll(open: () => Socket): Promise<string[]> {
    // All connects start in this turn: the server accepts nothing before the last is queued.
    const sockets = Array.from({ length: CLIENTS }, open);
    return Promise.all(sockets.map(served));
  }

  const expected = Array.from({ length: CLIENTS }, (_, index) => `client ${index}`);

  it('createServer serves 500 clients connecting at once', async () => {
    const server = echo(await createServer({ host: HOST, port: 0 }));
    const { port } = inetAddressOf(server);
    expect(await connectAll(() => connect({ host: HOST, port }))).toEqual(expected);
  });

  it('createUnixServer serves 500 clients connecting at once', async () => {
    const path = resources.path(tmpSocketPath());
    echo(await createUnixServer({ path }));
    expect(await connectAll(() => connect({ path }))).toEqual(expected);
  });
});
