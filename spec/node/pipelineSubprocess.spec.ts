/**
 * pipeline with a real child in the middle: socket → cat → socket, checked by digest end to
 * end, and with a slow consumer at the end every stage's write buffer stays bounded while the
 * backpressure reaches the producer.
 */
import { lastValueFrom, tap } from 'rxjs';
import { createConnection, subprocessExec, type SocketTransport } from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { pipeline } from '../../src/operators/index';
import { Hasher, patternChunk, patternDigest } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { nextConnection, startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { delay } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { trackProcess, valueOf, writeObeyingFlowControl } from '../helpers/process';
import { useLeakCheck } from '../helpers/leaks';

describe('pipeline', () => {
  describe('socket → cat → socket', () => {
    const resources = useResources();
    useLeakCheck(resources);
    useExceptionReports();

    /** A connected pair of TCP transports: [client, the server's side of it]. */
    async function connectedPair(): Promise<[SocketTransport, SocketTransport]> {
      const { server, port } = await startServer(resources);
      const accepted = nextConnection(server);
      const client = resources.transport(await createConnection({ host: HOST, port }));
      return [client, await accepted];
    }

    interface Chain {
      producer: SocketTransport;
      inbound: SocketTransport;
      cat: SubprocessTransport;
      outbound: SocketTransport;
      consumer: SocketTransport;
      /** Completes with [bytes into cat, bytes out of cat]. */
      moved: Promise<[number, number]>;
      /** Bytes each pipeline has moved so far. */
      counts: { into: number; outOf: number };
      /** The largest write buffer of each destination right after a write. */
      peaks: { catStdin: number; outbound: number };
    }

    /** producer ⇒ inbound → cat → outbound ⇒ consumer, with the two pipelines running. */
    async function chain(): Promise<Chain> {
      const [producer, inbound] = await connectedPair();
      const [outbound, consumer] = await connectedPair();
      const cat = trackProcess(resources, await subprocessExec('cat'));
      const peaks = { catStdin: 0, outbound: 0 };
      const counts = { into: 0, outOf: 0 };
      const stdin = cat.stdin!;
      const into = lastValueFrom(
        pipeline(inbound, stdin).pipe(
          tap((bytes) => {
            counts.into = bytes;
            peaks.catStdin = Math.max(peaks.catStdin, stdin.getWriteBufferSize());
          }),
        ),
      );
      const outOf = lastValueFrom(
        pipeline(cat.stdout!, outbound).pipe(
          tap((bytes) => {
            counts.outOf = bytes;
            peaks.outbound = Math.max(peaks.outbound, outbound.getWriteBufferSize());
          }),
        ),
      );
      const moved = Promise.all([into, outOf]);
      // Failures surface where the promise is awaited, not as an unhandled rejection first.
      moved.catch(() => undefined);
      return { producer, inbound, cat, outbound, consumer, moved, counts, peaks };
    }

    it('moves 16 MiB end to end intact, passing EOF along', async () => {
      const total = 16 * MiB;
      const { producer, cat, consumer, moved } = await chain();
      const received = new Hasher();
      const consumed = new Promise<void>((resolve, reject) => {
        consumer.data$.subscribe({
          next: (c) => {
            received.update(c);
          },
          error: reject,
          complete: resolve,
        });
      });
      const produced = await writeObeyingFlowControl(
        producer,
        total,
        256 * KiB,
        patternChunk,
        10_000,
      );
      expect(produced.finished).toBe(true);
      producer.writeEof();
      expect(await moved).toEqual([total, total]);
      await consumed;
      expect(received.bytes).toBe(total);
      expect(received.digest()).toBe(patternDigest(total));
      // EOF went through: cat saw it and exited on its own.
      expect(await valueOf(cat.exit$, 'cat to exit')).toBe(0);
      expect(await valueOf(cat.closed$, 'cat to be lost')).toBeNull();
    });

    it('keeps every stage bounded for a slow consumer, back to the producer', async () => {
      const total = 16 * MiB;
      const { producer, inbound, cat, outbound, consumer, moved, counts, peaks } = await chain();
      let producerWritable = true;
      producer.writable$.subscribe((writable) => {
        producerWritable = writable;
      });
      /** Whether pipeline paused both sources and the producer was told to stop. */
      const heldBack = (): boolean =>
        !cat.stdout!.isReading() && !inbound.isReading() && !producerWritable;

      // The consumer stops every 2 MiB until the whole chain is held back, or until nothing
      // moves any more (the rest of the payload fits in the buffers on the way), then goes on.
      const received = new Hasher();
      let stops = 0;
      let stopsHeldBack = 0;
      const waits: Promise<void>[] = [];
      const stop = async (): Promise<void> => {
        let last = -1;
        for (let same = 0; same < 10 && !heldBack();) {
          await delay(10);
          const now = counts.into + counts.outOf + producer.getWriteBufferSize();
          same = now === last ? same + 1 : 0;
          last = now;
        }
        if (heldBack()) stopsHeldBack += 1;
        consumer.resumeReading();
      };
      const consumed = new Promise<void>((resolve, reject) => {
        let nextStop = 2 * MiB;
        consumer.data$.subscribe({
          next: (c) => {
            received.update(c);
            if (received.bytes < nextStop) return;
            nextStop += 2 * MiB;
            stops += 1;
            consumer.pauseReading();
            waits.push(stop());
          },
          error: reject,
          complete: resolve,
        });
      });
      const produced = await writeObeyingFlowControl(
        producer,
        total,
        64 * KiB,
        patternChunk,
        10_000,
      );
      producer.writeEof();
      expect(await moved).toEqual([total, total]);
      await consumed;
      await Promise.all(waits);

      expect(received.bytes).toBe(total);
      expect(received.digest()).toBe(patternDigest(total));
      expect(stops).toBe(8);
      // The slow end held everything back, up to the producer.
      expect(stopsHeldBack).toBeGreaterThan(0);
      expect(produced.sawUnwritable).toBe(true);
      // Each buffer stays near its high water mark (64 KiB) plus one chunk read (≤ 256 KiB).
      // (Process memory says little here: the payload itself is garbage waiting for the GC.)
      const [, high] = outbound.getWriteBufferLimits();
      expect(peaks.catStdin).toBeLessThanOrEqual(high + 256 * KiB);
      expect(peaks.outbound).toBeLessThanOrEqual(high + 256 * KiB);
      expect(produced.peakBuffer).toBeLessThanOrEqual(high + 64 * KiB);
      expect(await valueOf(cat.exit$, 'cat to exit')).toBe(0);
    });
  });
});
