/**
 * pipeline in virtual time, over marble transports: what it writes and emits, how it ends the
 * destination, its errors and unsubscription; and the checks of its arguments.
 */
import { map, NEVER } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TransportClosedError, WriteAfterEofError } from '../../src/core/errors';
import type { ReadTransport, WriteTransport } from '../../src/core/transports';
import { pipeline } from '../../src/operators/pipeline';
import { marbleTransport } from '../../src/testing/marbleTransport';
import { transportPair } from '../../src/testing/transportPair';
import { useExceptionReports } from '../helpers/exceptions';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

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

describe('pipeline', () => {
  const reports = useExceptionReports();

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
      const reset = new Error('reset by peer');
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const source = marbleTransport(helpers, { incoming: '-a-#', error: reset });
        const destination = marbleTransport(helpers, { incoming: '-' });
        expectObservable(pipeline(source, destination)).toBe('-x-#', { x: 1 }, reset);
        expectObservable(destination.written$.pipe(map(decode))).toBe('-a--');
      });
      // A plain Error (not an OS error) on a transport is a fatal error, which is also reported.
      expect(reports.take()).toEqual([
        expect.objectContaining({
          message: 'Fatal read/write error on transport',
          exception: reset,
        }),
      ]);
    });

    it('errors with the error the destination was lost with', () => {
      const reset = new Error('destination reset');
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const source = marbleTransport(helpers, { incoming: '-a---b-|' });
        const destination = marbleTransport(helpers, { incoming: '---#', error: reset });
        expectObservable(pipeline(source, destination)).toBe('-x-#', { x: 1 }, reset);
      });
      expect(reports.take()).toEqual([
        expect.objectContaining({
          message: 'Fatal read/write error on transport',
          exception: reset,
        }),
      ]);
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
