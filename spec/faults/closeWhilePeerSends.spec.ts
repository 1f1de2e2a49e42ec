/**
 * Faults: `close()` while the peer is still sending to us. close() stops reading at once [B2],
 * so the peer's bytes pile up unread in our receive queue while our own buffered bytes are
 * flushed. Every byte accepted by `write()` before `close()` must still reach the peer, followed
 * by a clean EOF, even though the peer reads slowly. (On Linux, closing a socket that has unread
 * received data sends RST and discards whatever the kernel had not sent yet.)
 */
import * as net from 'node:net';
import { createConnection, type SocketTransport } from '../../src/index';
import { patternBytes } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { KiB, MiB } from '../helpers/bytes';
import { startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { nextConnection, startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { useExceptionReports } from '../helpers/exceptions';
import { within } from '../helpers/process';
import { expectSameBytes, rawCollect, type RawCollector } from './faultHelpers';

const FILLER = Buffer.alloc(64 * KiB, 0x2e);

/**
 * Makes `socket` a slow reader (a chunk every few milliseconds) that sends to its peer
 * without pause, and collects what it reads.
 */
function slowReaderThatSends(socket: net.Socket): RawCollector {
  const collector = rawCollect(socket);
  socket.on('data', () => {
    socket.pause();
    setTimeout(() => socket.resume(), 2);
  });
  const pump = (): void => {
    while (!socket.destroyed && !socket.writableEnded && socket.write(FILLER));
  };
  socket.on('drain', pump);
  pump();
  return collector;
}

describe('close() while the peer is still sending', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  it('delivers every byte written before close() to a slow peer, then a clean EOF (client)', async () => {
    let collector!: RawCollector;
    const raw = await startRawServer(resources, (socket) => {
      socket.on('error', () => undefined);
      collector = slowReaderThatSends(socket);
    });
    const client = resources.transport(await createConnection({ host: HOST, port: raw.port }));
    client.data$.subscribe();
    const payload = patternBytes(8 * MiB);
    client.write(payload);
    client.close();

    expect(await within(closedValue(client), 'close() to complete', 20_000)).toBeNull();
    const ending = await within(collector.ended, 'the peer to see the end', 20_000);
    expect({ received: collector.bytes().byteLength, ending }).toEqual({
      received: payload.byteLength,
      ending: 'end',
    });
    expectSameBytes(collector.bytes(), payload);
  });

  it('delivers every byte written before closeClients() to a slow client, then a clean EOF (server)', async () => {
    const { server, port } = await startServer(resources);
    const accepted = nextConnection(server);
    const socket = resources.rawSocket(net.connect({ host: HOST, port, allowHalfOpen: true }));
    socket.on('error', () => undefined);
    const collector = slowReaderThatSends(socket);
    const serverSide: SocketTransport = await accepted;
    serverSide.data$.subscribe();
    const payload = patternBytes(8 * MiB);
    serverSide.write(payload);
    server.close();
    server.closeClients();

    expect(await within(closedValue(serverSide), 'closeClients() to complete', 20_000)).toBeNull();
    await within(server.waitClosed(), 'waitClosed()');
    const ending = await within(collector.ended, 'the client to see the end', 20_000);
    expect({ received: collector.bytes().byteLength, ending }).toEqual({
      received: payload.byteLength,
      ending: 'end',
    });
    expectSameBytes(collector.bytes(), payload);
  });
});
