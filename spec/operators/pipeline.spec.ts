import { firstValueFrom, lastValueFrom, map, NEVER, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TransportClosedError, WriteAfterEofError } from '../../src/core/errors';
import { setExceptionHandler } from '../../src/core/exceptionHandler';
import type { ReadTransport, SocketTransport, WriteTransport } from '../../src/core/transports';
import { pipeline } from '../../src/operators/pipeline';
import { marbleTransport } from '../../src/testing/marbleTransport';
import { transportPair } from '../../src/testing/transportPair';
import { patternBytes, sha256, writeChunked } from '../helpers/bytes';
import { collect, record, settlesSoon, turns, waitFor } from '../helpers/net';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const KiB = 1024;

/** `transport`, but reporting that it cannot send EOF (as some pipes). */
function withoutEof<T extends WriteTransport>(transport: T): T {
  return new Proxy(transport, {
    get(target, key) {
      if (key === 'canWriteEof') return () => false;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

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
  beforeEach(() => {
    // '#' in an incoming marble is a fatal transport error, which is also reported.
    setExceptionHandler(() => undefined);
  });

  afterEach(() => {
    setExceptionHandler(null);
  });

  describe('in virtual time', () => {
    let testScheduler: TestScheduler;

    beforeEach(() => {
      testScheduler = new TestScheduler((actual, expected) => {
        expect(actual).toEqual(expected);
      });
    });

    it('behaves as its TSDoc diagram shows, with any WriteTransport', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable } = helpers;
        const source = marbleTransport(helpers, {
          incoming: '-a-b-c------|',
          values: { a: 'aa', b: 'bb', c: 'cc' },
        });
        const written: string[] = [];
        const calls: string[] = [];
        // Only what pipeline uses, with writable$ scripted in virtual time.
        const destination = {
          writable$: cold('t--f----t----', { t: true, f: false }),
          closed$: NEVER,
          write: (data: Uint8Array) => written.push(decode(data)),
          drain: () => Promise.resolve(),
          flushed: () => Promise.resolve(),
          canWriteEof: () => true,
          writeEof: () => calls.push(`writeEof@${testScheduler.now()}`),
          close: () => calls.push('close'),
          isClosing: () => false,
          getWriteBufferSize: () => 0,
          getWriteBufferLimits: () => [16, 64],
        } as unknown as WriteTransport;
        expectObservable(pipeline(source, destination)).toBe('-2-4----6---|', {
          2: 2,
          4: 4,
          6: 6,
        });
        expectObservable(source.data$.pipe(map(decode))).toBe('-a-b----c---|', {
          a: 'aa',
          b: 'bb',
          c: 'cc',
        });
        testScheduler.schedule(() => {
          expect(written).toEqual(['aa', 'bb', 'cc']);
          expect(calls).toEqual(['writeEof@12']);
        }, 20);
      });
    });

    it('writes each chunk, emits the running total, then sends EOF to the destination', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const source = marbleTransport(helpers, {
          incoming: '-a--b-|',
          values: { a: 'abc', b: 'de' },
        });
        const destination = marbleTransport(helpers, { incoming: '-' });
        expectObservable(pipeline(source, destination)).toBe('-x--y-|', { x: 3, y: 5 });
        expectObservable(destination.written$.pipe(map(decode))).toBe('-a--b-|', {
          a: 'abc',
          b: 'de',
        });
      });
    });

    it('leaves the destination open with end: false', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const source = marbleTransport(helpers, { incoming: '-a-|' });
        const destination = marbleTransport(helpers, { incoming: '-' });
        expectObservable(pipeline(source, destination, { end: false })).toBe('-x-|', { x: 1 });
        expectObservable(destination.written$.pipe(map(decode))).toBe('-a--');
        testScheduler.schedule(() => {
          expect(destination.isClosing()).toBe(false);
        }, 10);
      });
    });

    it('closes a destination that cannot send EOF', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const source = marbleTransport(helpers, { incoming: '-a-|' });
        const destination = marbleTransport(helpers, { incoming: '-' });
        expectObservable(pipeline(source, withoutEof(destination))).toBe('-x-|', { x: 1 });
        expectObservable(destination.closed$).toBe('---(n|)', { n: null });
      });
    });

    it('errors with the error of the source, leaving the destination open', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const reset = new Error('reset by peer');
        const source = marbleTransport(helpers, { incoming: '-a-#', error: reset });
        const destination = marbleTransport(helpers, { incoming: '-' });
        expectObservable(pipeline(source, destination)).toBe('-x-#', { x: 1 }, reset);
        expectObservable(destination.written$.pipe(map(decode))).toBe('-a--');
      });
    });

    it('errors with the error the destination was lost with', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const reset = new Error('destination reset');
        const source = marbleTransport(helpers, { incoming: '-a---b-|' });
        const destination = marbleTransport(helpers, { incoming: '---#', error: reset });
        expectObservable(pipeline(source, destination)).toBe('-x-#', { x: 1 }, reset);
      });
    });

    it('errors with TransportClosedError when the destination closes before the source ends', () => {
      const seen: unknown[] = [];
      testScheduler.run((helpers) => {
        const source = marbleTransport(helpers, { incoming: '-a---b-|' });
        const destination = marbleTransport(helpers, { incoming: '-' });
        pipeline(source, destination).subscribe({
          next: (total) => seen.push(total),
          error: (error: unknown) => seen.push(error),
        });
        helpers.cold('--c').subscribe(() => {
          destination.close();
        });
      });
      expect(seen).toEqual([1, expect.any(TransportClosedError)]);
      expect(seen[1]).toHaveProperty('code', 'ERR_TRANSPORT_CLOSED');
    });

    it('errors with what write() throws, here WriteAfterEofError', () => {
      const seen: unknown[] = [];
      testScheduler.run((helpers) => {
        const source = marbleTransport(helpers, { incoming: '-a-|' });
        const destination = marbleTransport(helpers, { incoming: '-' });
        destination.writeEof();
        pipeline(source, destination).subscribe({ error: (error: unknown) => seen.push(error) });
      });
      expect(seen).toEqual([expect.any(WriteAfterEofError)]);
    });

    it('errors at once, taking nothing from the source, when the destination is closing', () => {
      const seen: unknown[] = [];
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const source = marbleTransport(helpers, { incoming: 'a-|' });
        const destination = marbleTransport(helpers, { incoming: '-' });
        destination.close();
        pipeline(source, destination).subscribe({ error: (error: unknown) => seen.push(error) });
        // The chunk stays for the next subscriber of data$.
        expectObservable(source.data$.pipe(map(decode)), '-^').toBe('-a|');
      });
      expect(seen).toEqual([expect.any(TransportClosedError)]);
    });

    it('stops on unsubscribe and closes neither transport', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const source = marbleTransport(helpers, { incoming: '-a---b-|' });
        const destination = marbleTransport(helpers, { incoming: '-' });
        expectObservable(pipeline(source, destination), '^--!').toBe('-x--', { x: 1 });
        expectObservable(destination.written$.pipe(map(decode))).toBe('-a------');
        expectObservable(source.data$.pipe(map(decode)), '----^').toBe('-----b-|');
        testScheduler.schedule(() => {
          expect(destination.isClosing()).toBe(false);
        }, 10);
      });
    });

    it('resumes a source that was paused before the subscription', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const source = marbleTransport(helpers, { incoming: 'a-b------|' });
        const destination = marbleTransport(helpers, { incoming: '-' });
        source.pauseReading();
        expectObservable(pipeline(source, destination), '--^').toBe('--(xy)---|', { x: 1, y: 2 });
      });
    });
  });

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

  describe('arguments', () => {
    const typeError = expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });

    it('refuses what is not a transport, and an end that is not a boolean', () => {
      const [a, b] = transportPair();
      try {
        expect(() => pipeline({} as ReadTransport, b)).toThrow(typeError);
        expect(() => pipeline(a, { write: () => undefined } as unknown as WriteTransport)).toThrow(
          typeError,
        );
        expect(() => pipeline(a, b, { end: 'yes' as unknown as boolean })).toThrow(typeError);
        expect(() => pipeline(a, b, null as unknown as { end: boolean })).toThrow(typeError);
      } finally {
        a.abort();
        b.abort();
      }
    });
  });
});
