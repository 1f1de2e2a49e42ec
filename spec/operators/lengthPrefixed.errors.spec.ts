/**
 * lengthPrefixed errors and limits: source errors and chunks that are not bytes, frames cut off
 * by the end of the source (ERR_INCOMPLETE_FRAME), and maxFrame (ERR_FRAME_TOO_LARGE).
 */
import { from } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { FrameTooLargeError, IncompleteFrameError, TransportError } from '../../src/core/errors';
import { lengthPrefixed } from '../../src/operators/lengthPrefixed';
import { bytes, newTestScheduler, run } from './lengthPrefixed.helpers';

describe('lengthPrefixed', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newTestScheduler();
  });

  it('passes a source error on and drops the partial frame', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', { a: bytes(1, 65, 3, 66) }, new Error('reset'));
      expectObservable(source.pipe(lengthPrefixed({ headerBytes: 1 }))).toBe(
        '-x-#',
        { x: bytes(65) },
        new Error('reset'),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('errors with ERR_INVALID_ARG_TYPE on a chunk that is not bytes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: bytes(1, 65), b: [1, 66] as unknown as Uint8Array });
      expectObservable(source.pipe(lengthPrefixed({ headerBytes: 1 }))).toBe(
        '-x-#',
        { x: bytes(65) },
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  describe('incomplete frames', () => {
    it('errors with ERR_INCOMPLETE_FRAME when the source completes inside a header', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: bytes(0, 1, 65, 0) });
        expectObservable(source.pipe(lengthPrefixed({ headerBytes: 2 }))).toBe(
          '-x-#',
          { x: bytes(65) },
          new IncompleteFrameError('The source completed inside a frame header (1 of 2 bytes)'),
        );
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('errors with ERR_INCOMPLETE_FRAME when the source completes inside a payload', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: bytes(4, 1), b: bytes(2) });
        expectObservable(source.pipe(lengthPrefixed({ headerBytes: 1 }))).toBe(
          '-----#',
          {},
          new IncompleteFrameError('The source completed inside a frame (2 of 4 payload bytes)'),
        );
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('errors even when only the header of a non-empty payload arrived', () => {
      expect(run([bytes(0, 0, 0, 9)], lengthPrefixed({ headerBytes: 4 }))).toEqual([
        { error: 'ERR_INCOMPLETE_FRAME' },
      ]);
    });

    it('is an IncompleteFrameError, a TransportError', () => {
      let caught: unknown;
      from([bytes(9)])
        .pipe(lengthPrefixed({ headerBytes: 2 }))
        .subscribe({
          error: (err: unknown) => {
            caught = err;
          },
        });
      expect(caught).toBeInstanceOf(IncompleteFrameError);
      expect(caught).toBeInstanceOf(TransportError);
      expect(caught).toMatchObject({ code: 'ERR_INCOMPLETE_FRAME', name: 'IncompleteFrameError' });
    });

    it('completes normally on an empty source', () => {
      expect(run([], lengthPrefixed({ headerBytes: 4 }))).toEqual(['|']);
      expect(run([bytes()], lengthPrefixed({ headerBytes: 4 }))).toEqual(['|']);
    });
  });

  describe('maxFrame', () => {
    it('errors as soon as a header announces more, before the payload arrives', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', {
          a: bytes(0, 1, 65, 0),
          b: bytes(4),
          c: bytes(1, 2, 3, 4),
        });
        expectObservable(source.pipe(lengthPrefixed({ headerBytes: 2, maxFrame: 3 }))).toBe(
          '-x-#',
          { x: bytes(65) },
          new FrameTooLargeError('A frame header announces 4 bytes, more than maxFrame (3)'),
        );
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('accepts a payload of exactly maxFrame bytes', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: bytes(3, 1, 2, 3) });
        expectObservable(source.pipe(lengthPrefixed({ headerBytes: 1, maxFrame: 3 }))).toBe(
          '-x-|',
          { x: bytes(1, 2, 3) },
        );
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('errors with FrameTooLargeError and code ERR_FRAME_TOO_LARGE', () => {
      let caught: unknown;
      from([bytes(0xff, 0xff, 0xff, 0xff)])
        .pipe(lengthPrefixed({ headerBytes: 4, maxFrame: 1 << 20 }))
        .subscribe({
          error: (err: unknown) => {
            caught = err;
          },
        });
      expect(caught).toBeInstanceOf(FrameTooLargeError);
      expect(caught).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', name: 'FrameTooLargeError' });
    });

    it('accepts 0 (only empty payloads) and Infinity', () => {
      expect(run([bytes(0, 0)], lengthPrefixed({ headerBytes: 1, maxFrame: 0 }))).toEqual([
        bytes(),
        bytes(),
        '|',
      ]);
      expect(run([bytes(1, 7)], lengthPrefixed({ headerBytes: 1, maxFrame: 0 }))).toEqual([
        { error: 'ERR_FRAME_TOO_LARGE' },
      ]);
      expect(run([bytes(1, 7)], lengthPrefixed({ headerBytes: 1, maxFrame: Infinity }))).toEqual([
        bytes(7),
        '|',
      ]);
    });
  });
});
