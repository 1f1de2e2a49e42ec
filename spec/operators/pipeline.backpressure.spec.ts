/**
 * pipeline over transport pairs with real water marks: pausing and resuming the source,
 * completing once the destination's buffer is empty, end: false, and losing the destination.
 */
import { firstValueFrom, lastValueFrom, map, type Observable } from 'rxjs';
import { TransportClosedError } from '../../src/core/errors';
import type { ReadTransport, SocketTransport } from '../../src/core/transports';
import { pipeline } from '../../src/operators/pipeline';
import { transportPair } from '../../src/testing/transportPair';
import { useExceptionReports } from '../helpers/exceptions';
import { patternBytes, sha256, writeChunked } from '../helpers/bytes';
import { collect, record } from '../helpers/streams';
import { settlesSoon, turns, waitFor } from '../helpers/waits';

const KiB = 1024;

/** Counts the pauseReading/resumeReading calls made on `transport`. */
function countFlowCalls(transport: ReadTransport): { pauses: number; resumes: number } {
  const counts = { pauses: 0, resumes: 0 };
  const pause = transport.pauseReading.bind(transport);
  const resume = transport.resumeReading.bind(transport);
  transport.pauseReading = () => {
    counts.pauses += 1;
    pause();
  };
  transport.resumeReading = () => {
    counts.resumes += 1;
    resume();
  };
  return counts;
}

/** How an Observable ended, once it has (the promise never rejects). */
function ending(observable: Observable<unknown>): Promise<{ kind: string; error?: unknown }> {
  return new Promise((resolve) => {
    observable.subscribe({
      error: (error: unknown) => {
        resolve({ kind: 'error', error });
      },
      complete: () => {
        resolve({ kind: 'complete' });
      },
    });
  });
}

describe('pipeline', () => {
  useExceptionReports();

  describe('over transport pairs, with real water marks', () => {
    const opened: SocketTransport[] = [];
    const pair = (
      ...args: Parameters<typeof transportPair>
    ): [SocketTransport, SocketTransport] => {
      const transports = transportPair(...args);
      opened.push(...transports);
      return transports;
    };

    afterEach(async () => {
      for (const transport of opened.splice(0)) {
        transport.abort();
        await firstValueFrom(transport.closed$);
      }
    });

    /** writer → source ⇒ destination → reader, with a small kernel buffer on the way out. */
    async function setup(): Promise<{
      writer: SocketTransport;
      source: SocketTransport;
      destination: SocketTransport;
      reader: SocketTransport;
    }> {
      const [writer, source] = pair();
      const [destination, reader] = pair({ kernelBufferSize: 8 * KiB });
      destination.setWriteBufferLimits(32 * KiB); // low: 8 KiB
      await turns(2); // connectionMade everywhere
      return { writer, source, destination, reader };
    }

    it('pauses the source while the destination is above its high water mark', async () => {
      const { writer, source, destination, reader } = await setup();
      const flow = countFlowCalls(source);
      const payload = patternBytes(1024 * KiB);
      reader.pauseReading();
      const totals: number[] = [];
      let maxBuffer = 0;
      const done = ending(
        pipeline(source, destination).pipe(
          map((total) => {
            totals.push(total);
            maxBuffer = Math.max(maxBuffer, destination.getWriteBufferSize());
            return total;
          }),
        ),
      );
      writeChunked((chunk) => {
        writer.write(chunk);
      }, payload);
      writer.writeEof();

      await waitFor(() => !source.isReading(), 'the source to be paused');
      expect(destination.getWriteBufferSize()).toBeGreaterThan(32 * KiB);
      expect(flow.pauses).toBe(1);

      const received = collect(reader.data$);
      reader.resumeReading();
      expect(await done).toEqual({ kind: 'complete' });
      expect(source.isReading()).toBe(true);
      expect(flow.resumes).toBeGreaterThanOrEqual(1);
      expect(totals.at(-1)).toBe(payload.byteLength);
      expect(totals).toEqual([...totals].sort((a, b) => a - b));
      // The high water mark plus one 64 KiB chunk that was on its way.
      expect(maxBuffer).toBeLessThanOrEqual(32 * KiB + 64 * KiB);
      // end: true, so the reader sees EOF after every byte.
      expect(sha256(await received)).toBe(sha256(payload));
      expect(destination.getWriteBufferSize()).toBe(0);
    });

    it('does not send EOF with end: false, and the destination stays writable', async () => {
      const { writer, source, destination, reader } = await setup();
      const received = record(reader.data$);
      const done = ending(pipeline(source, destination, { end: false }));
      writer.write(new TextEncoder().encode('hello'));
      writer.writeEof();
      expect(await done).toEqual({ kind: 'complete' });
      await turns(5);
      expect(received.ended).toBeNull();
      expect(destination.isClosing()).toBe(false);
      destination.write(new TextEncoder().encode(' world'));
      destination.writeEof();
      await waitFor(() => received.ended !== null, 'EOF at the reader');
      expect(received.bytes().toString()).toBe('hello world');
    });

    // The reader's kernel buffer takes the first 8 KiB chunk at once; the second stays in the
    // destination's buffer (8 KiB is its low water mark, 32 KiB its high one).
    it.each([
      ['above the low water mark', 12 * KiB],
      ['at or below the low water mark', 4 * KiB],
    ])('completes only once the destination buffer is empty, from %s', async (_case, second) => {
      const { writer, source, destination, reader } = await setup();
      reader.pauseReading();
      const done = ending(pipeline(source, destination));
      writer.write(new Uint8Array(8 * KiB));
      // Two turns, so that the two writes are not gathered into one chunk.
      await turns(2);
      writer.write(new Uint8Array(second));
      writer.writeEof();
      await waitFor(
        () => destination.getWriteBufferSize() === second,
        `${second} bytes in the destination's buffer`,
      );
      expect(await settlesSoon(done)).toBe(false);
      const received = collect(reader.data$);
      reader.resumeReading();
      expect(await done).toEqual({ kind: 'complete' });
      expect(destination.getWriteBufferSize()).toBe(0);
      expect((await received).byteLength).toBe(8 * KiB + second);
    });

    it('resumes the source on unsubscribe when it had paused it, closing neither', async () => {
      const { writer, source, destination, reader } = await setup();
      reader.pauseReading();
      const subscription = pipeline(source, destination).subscribe();
      writeChunked(
        (chunk) => {
          writer.write(chunk);
        },
        patternBytes(512 * KiB),
      );
      await waitFor(() => !source.isReading(), 'the source to be paused');
      subscription.unsubscribe();
      expect(source.isReading()).toBe(true);
      expect(source.isClosing()).toBe(false);
      expect(destination.isClosing()).toBe(false);
    });

    it('errors with BrokenPipeError when the destination peer goes away', async () => {
      const { writer, source, destination, reader } = await setup();
      const done = ending(pipeline(source, destination));
      reader.abort();
      await firstValueFrom(reader.closed$);
      writer.write(new TextEncoder().encode('into the void'));
      const result = await done;
      expect(result.kind).toBe('error');
      expect(result.error).toMatchObject({ name: 'BrokenPipeError', code: 'EPIPE' });
    });

    it('errors with TransportClosedError when the destination is aborted mid-way', async () => {
      const { source, destination } = await setup();
      const done = ending(pipeline(source, destination));
      destination.abort();
      const result = await done;
      expect(result.kind).toBe('error');
      expect(result.error).toBeInstanceOf(TransportClosedError);
      expect(await lastValueFrom(destination.closed$)).toBeNull();
    });
  });
});
