/**
 * Faults: the peer half-closes (sends EOF) and keeps reading. Our side sees EOF, may go on
 * writing, and every byte it wrote before `close()`/`writeEof()` (or before closing itself on
 * EOF) reaches the peer, followed by a clean EOF; `connectionLost` comes once, with null.
 */
import * as net from 'node:net';
import { createConnection } from '../../src/index';
import { pipeline } from '../../src/operators';
import { patternBytes } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { closedValue, record } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { within } from '../helpers/process';
import { countingProtocol, expectSameBytes, rawCollect, type RawCollector } from './faultHelpers';

describe('a peer that half-closes and keeps reading', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  /** A raw peer that sends `request`, then EOF, and reads everything until our EOF. */
  async function halfClosingPeer(request: string, options: { holdReading?: boolean } = {}) {
    let collector!: RawCollector;
    let peer!: net.Socket;
    const raw = await startRawServer(resources, (socket) => {
      peer = socket;
      if (options.holdReading) socket.pause();
      collector = rawCollect(socket);
      socket.end(request);
    });
    return {
      port: raw.port,
      collector: () => collector,
      socket: () => peer,
    };
  }

  it('completes data$, stays open for writing, and flushes 8 MiB before close() ends it', async () => {
    const peer = await halfClosingPeer('request');
    const client = resources.transport(await createConnection({ host: HOST, port: peer.port }));
    const data = record(client.data$);
    await waitFor(() => data.ended !== null, 'EOF from the peer');
    expect(data.ended).toBe('complete');
    expect(data.bytes().toString()).toBe('request');
    expect(client.isClosing()).toBe(false);

    const payload = patternBytes(8 * MiB);
    client.write(payload);
    client.close();
    expect(client.isClosing()).toBe(true);
    expect(await within(peer.collector().ended, 'the peer to see our EOF')).toBe('end');
    expectSameBytes(peer.collector().bytes(), payload);
    expect(await closedValue(client)).toBeNull();
  });

  it('closes itself once writeEof() has flushed 8 MiB written after the peer EOF', async () => {
    const peer = await halfClosingPeer('request');
    const client = resources.transport(await createConnection({ host: HOST, port: peer.port }));
    const data = record(client.data$);
    await waitFor(() => data.ended === 'complete', 'EOF from the peer');
    const payload = patternBytes(8 * MiB);
    client.write(payload);
    client.writeEof();
    expect(await within(closedValue(client), 'the transport to close itself')).toBeNull();
    expect(await within(peer.collector().ended, 'our EOF')).toBe('end');
    expectSameBytes(peer.collector().bytes(), payload);
  });

  it('keeps a protocol half-open when eofReceived returns true; close() flushes all', async () => {
    const payload = patternBytes(8 * MiB);
    const counting = countingProtocol({
      eofReceived: () => {
        counting.transport?.write(payload.subarray(0, 4 * MiB));
        return true;
      },
    });
    const peer = await halfClosingPeer('request');
    const client = resources.transport(
      await createConnection({ host: HOST, port: peer.port, protocol: () => counting.protocol }),
    );
    await waitFor(() => counting.events.includes('eof'), 'eofReceived');
    expect(client.isClosing()).toBe(false);
    client.write(payload.subarray(4 * MiB));
    client.close();
    expect(await within(counting.done, 'connectionLost')).toBeNull();
    expect(await within(peer.collector().ended, 'our EOF')).toBe('end');
    expectSameBytes(peer.collector().bytes(), payload);
    await turns(3);
    expect(counting.lost).toEqual([null]);
    expect(Buffer.concat(counting.received).toString()).toBe('request');
  });

  it('closes a protocol whose eofReceived returns nothing, after flushing what was buffered', async () => {
    // The peer holds its reading, so that 8 MiB are still buffered on our side when EOF comes.
    const peer = await halfClosingPeer('request', { holdReading: true });
    const counting = countingProtocol();
    const client = resources.transport(
      await createConnection({ host: HOST, port: peer.port, protocol: () => counting.protocol }),
    );
    const payload = patternBytes(8 * MiB);
    client.write(payload);
    await waitFor(() => counting.events.includes('eof'), 'eofReceived');
    expect(client.isClosing()).toBe(true);
    expect(client.getWriteBufferSize()).toBeGreaterThan(0);
    expect(counting.lost).toEqual([]);
    peer.socket().resume();
    expect(await within(counting.done, 'connectionLost')).toBeNull();
    expect(await within(peer.collector().ended, 'our EOF')).toBe('end');
    expectSameBytes(peer.collector().bytes(), payload);
    await turns(3);
    expect(counting.lost).toEqual([null]);
    expect(counting.events.filter((event) => event === 'lost')).toHaveLength(1);
  });

  it('does not notice EOF while reading is paused, then completes data$ on resume [R3]', async () => {
    const peer = await halfClosingPeer('request');
    const client = resources.transport(await createConnection({ host: HOST, port: peer.port }));
    client.pauseReading();
    const data = record(client.data$);
    // The peer's 'request' and EOF went out at once; give them time to arrive.
    await waitFor(() => peer.socket().writableFinished, 'the peer to send its EOF');
    await turns(10);
    expect(data.ended).toBeNull();
    client.resumeReading();
    await waitFor(() => data.ended === 'complete', 'EOF after resume');
    expect(data.bytes().toString()).toBe('request');
    client.writeEof();
    expect(await closedValue(client)).toBeNull();
  });

  it('lets a server echo 4 MiB back to a client that half-closed after sending them', async () => {
    const { server, port } = await startServer(resources);
    const lost: (Error | null)[] = [];
    server.connections$.subscribe((connection) => {
      connection.closed$.subscribe((exc) => lost.push(exc));
      pipeline(connection, connection).subscribe();
    });
    const socket = resources.rawSocket(net.connect({ host: HOST, port, allowHalfOpen: true }));
    const collector = rawCollect(socket);
    const payload = patternBytes(4 * MiB);
    socket.end(payload);
    expect(await within(collector.ended, "the server's EOF")).toBe('end');
    expectSameBytes(collector.bytes(), payload);
    await waitFor(() => lost.length === 1, 'the server side to close');
    expect(lost).toEqual([null]);
  });
});
