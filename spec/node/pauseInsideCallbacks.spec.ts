/**
 * After `pauseReading()` returns, nothing more is delivered until `resumeReading()`, whichever
 * callback or subscriber paused: the rest of a chunk a BufferedProtocol takes in small buffers,
 * chunks `data$` held for a late subscriber, and EOF wait, then come in order.
 */

import type * as net from 'node:net';
import { createConnection, type BufferedProtocol, type SocketTransport } from '../../src/index';
import { patternBytes, sha256 } from '../helpers/bytes';
import {
  HOST,
  KiB,
  delay,
  socketOf,
  startRawServer,
  turns,
  useResources,
  waitFor,
} from '../helpers/net';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

/** A BufferedProtocol with tiny buffers that pauses reading on its first `bufferUpdated`. */
class PausingOnFirstUpdate implements BufferedProtocol<SocketTransport> {
  transport: SocketTransport | null = null;
  readonly received: Uint8Array[] = [];
  updatesWhilePaused = 0;
  updates = 0;
  eof = false;
  eofWhilePaused = false;
  private buffer = new Uint8Array(16);

  connectionMade(transport: SocketTransport): void {
    this.transport = transport;
  }

  getBuffer(): Uint8Array {
    this.buffer = new Uint8Array(16);
    return this.buffer;
  }

  bufferUpdated(nbytes: number): void {
    const transport = this.transport!;
    this.updates += 1;
    if (!transport.isReading()) this.updatesWhilePaused += 1;
    this.received.push(this.buffer.slice(0, nbytes));
    if (this.updates === 1) transport.pauseReading();
  }

  eofReceived(): boolean {
    this.eof = true;
    if (!this.transport!.isReading()) this.eofWhilePaused = true;
    return false;
  }
}

describe('pauseReading() inside a callback or subscriber', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  it('stops a BufferedProtocol in the middle of a chunk; the rest and EOF come after resume', async () => {
    const payload = patternBytes(256 * KiB);
    const raw = await startRawServer(resources, (socket) => {
      socket.end(payload);
    });
    const protocol = new PausingOnFirstUpdate();
    const transport = resources.transport(
      await createConnection({ host: HOST, port: raw.port, protocol: () => protocol }),
    );
    await waitFor(() => protocol.updates > 0, 'the first bufferUpdated');
    // The peer's bytes and EOF are all on our side of the socket; none may arrive while paused.
    await waitFor(() => socketOf(transport).bytesRead > 0, 'bytes read from the socket');
    await delay(50);
    await turns(5);
    expect(transport.isReading()).toBe(false);
    expect(protocol.updates).toBe(1);
    expect(protocol.updatesWhilePaused).toBe(0);
    expect(protocol.eof).toBe(false);

    transport.resumeReading();
    await waitFor(() => protocol.eof, 'EOF after resumeReading');
    expect(protocol.updatesWhilePaused).toBe(0);
    expect(protocol.eofWhilePaused).toBe(false);
    expect(sha256(...protocol.received)).toBe(sha256(payload));
  });

  it('stops data$ from handing a late subscriber the other chunks it held', async () => {
    let peer: net.Socket | null = null;
    const raw = await startRawServer(resources, (socket) => {
      peer = socket;
    });
    const transport = resources.transport(await createConnection({ host: HOST, port: raw.port }));
    await waitFor(() => peer !== null, 'the peer socket');
    // 50 chunks of 1 KiB, each read before the next is sent, all held by data$ (no subscriber).
    const socket = socketOf(transport);
    for (let i = 0; i < 50; i++) {
      peer!.write(patternBytes(KiB, i + 1));
      await waitFor(() => socket.bytesRead >= (i + 1) * KiB, `chunk ${i} read`);
    }
    await turns(3);
    const seen: Uint8Array[] = [];
    let seenWhilePaused = 0;
    transport.data$.subscribe((chunk) => {
      if (!transport.isReading()) seenWhilePaused += 1;
      seen.push(chunk);
      if (seen.length === 1) transport.pauseReading();
    });
    await turns(5);
    expect(seen).toHaveLength(1);
    expect(seenWhilePaused).toBe(0);

    transport.resumeReading();
    await waitFor(() => Buffer.concat(seen).byteLength === 50 * KiB, 'the 49 other chunks');
    expect(seenWhilePaused).toBe(0);
    const expected = Array.from({ length: 50 }, (_, i) => patternBytes(KiB, i + 1));
    expect(sha256(...seen)).toBe(sha256(...expected));
  });

  it('pauses again from a subscriber while held chunks are being handed over on resume', async () => {
    let peer: net.Socket | null = null;
    const raw = await startRawServer(resources, (socket) => {
      peer = socket;
    });
    const transport = resources.transport(await createConnection({ host: HOST, port: raw.port }));
    await waitFor(() => peer !== null, 'the peer socket');
    const socket = socketOf(transport);
    for (let i = 0; i < 10; i++) {
      peer!.write(patternBytes(KiB, i + 1));
      await waitFor(() => socket.bytesRead >= (i + 1) * KiB, `chunk ${i} read`);
    }
    const seen: Uint8Array[] = [];
    // Every chunk pauses reading: each resumeReading() hands over exactly one more held chunk.
    transport.data$.subscribe((chunk) => {
      seen.push(chunk);
      transport.pauseReading();
    });
    const total = (): number => Buffer.concat(seen).byteLength;
    let resumes = 0;
    while (total() < 10 * KiB) {
      const before = seen.length;
      transport.resumeReading();
      resumes += 1;
      await turns(2);
      expect(seen.length - before).toBeLessThanOrEqual(1);
      if (resumes > 100) throw new Error('held chunks did not come one resume at a time');
    }
    expect(total()).toBe(10 * KiB);
  });
});
