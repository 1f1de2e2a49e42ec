/**
 * pipeline over real TCP sockets: producer → [middleIn ⇒ middleOut] → slow consumer.
 */
import { lastValueFrom, tap } from 'rxjs';
import { createConnection, type SocketTransport } from '../../src/index';
import { pipeline } from '../../src/operators/pipeline';
import { Hasher, patternChunk, patternDigest } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { nextConnection, startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { delay } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';

describe('pipeline over TCP', () => {
  const resources = useResources();
  useLeakCheck(resources);

  /** A connected pair of TCP transports: [client, the server's side of it]. */
  async function connectedPair(): Promise<[SocketTransport, SocketTransport]> {
    const { server, port } = await startServer(resources);
    const accepted = nextConnection(server);
    const client = resources.transport(await createConnection({ host: HOST, port }));
    return [client, await accepted];
  }

  /** Writes `size` pattern bytes at the pace of `transport`'s water marks, then sends EOF. */
  async function produce(transport: SocketTransport, size: number): Promise<void> {
    const chunkSize = 64 * KiB;
    for (let offset = 0; offset < size; offset += chunkSize) {
      transport.write(patternChunk(offset, Math.min(chunkSize, size - offset)));
      if (transport.getWriteBufferSize() > transport.getWriteBufferLimits()[1]) {
        await transport.drain();
      }
    }
    transport.writeEof();
  }

  it('moves several MiB socket to socket to a slow reader, its write buffer bounded', async () => {
    const size = 24 * MiB;
    const [producer, middleIn] = await connectedPair();
    const [middleOut, consumer] = await connectedPair();

    // The consumer stops every 2 MiB, until pipeline has paused middleIn (or, when the kernel
    // buffers swallow the rest of the payload, until the transfer stalls), then goes on.
    const hasher = new Hasher();
    let nextStop = 2 * MiB;
    let moved = 0;
    let sourcePauses = 0;
    const stops: Promise<void>[] = [];
    const consumed = new Promise<void>((resolve, reject) => {
      consumer.data$.subscribe({
        next: (chunk) => {
          hasher.update(chunk);
          if (hasher.bytes < nextStop) return;
          nextStop += 2 * MiB;
          consumer.pauseReading();
          const stop = (async () => {
            if (await pausedOrStalled()) sourcePauses += 1;
            consumer.resumeReading();
          })();
          stops.push(stop);
        },
        error: reject,
        complete: resolve,
      });
    });

    /** True once pipeline has paused middleIn; false if the transfer stalls without that. */
    async function pausedOrStalled(): Promise<boolean> {
      let last = moved;
      for (let same = 0; same < 10;) {
        if (!middleIn.isReading()) return true;
        await delay(10);
        same = moved === last ? same + 1 : 0;
        last = moved;
      }
      return !middleIn.isReading();
    }

    let maxBuffered = 0;
    const total = lastValueFrom(
      pipeline(middleIn, middleOut).pipe(
        tap((bytes) => {
          moved = bytes;
          maxBuffered = Math.max(maxBuffered, middleOut.getWriteBufferSize());
        }),
      ),
    );
    // Failures surface where the promises are awaited, not as unhandled rejections first.
    total.catch(() => undefined);
    consumed.catch(() => undefined);
    await produce(producer, size);

    expect(await total).toBe(size);
    await consumed;
    await Promise.all(stops);
    expect(hasher.bytes).toBe(size);
    expect(hasher.digest()).toBe(patternDigest(size));
    expect(sourcePauses).toBeGreaterThan(0);
    // The high water mark (64 KiB) plus what was on its way; far below the payload.
    expect(maxBuffered).toBeLessThan(1 * MiB);
    expect(middleIn.isReading()).toBe(true);
  });

  it('passes EOF on, and the consumer sees every byte, with the default end: true', async () => {
    const [producer, middleIn] = await connectedPair();
    const [middleOut, consumer] = await connectedPair();
    const received = new Hasher();
    const consumed = new Promise<void>((resolve, reject) => {
      consumer.data$.subscribe({
        next: (chunk) => {
          received.update(chunk);
        },
        error: reject,
        complete: resolve,
      });
    });
    const total = lastValueFrom(pipeline(middleIn, middleOut));
    total.catch(() => undefined);
    consumed.catch(() => undefined);
    await produce(producer, 1 * MiB + 17);
    expect(await total).toBe(1 * MiB + 17);
    await consumed;
    expect(received.digest()).toBe(patternDigest(1 * MiB + 17));
  });
});
