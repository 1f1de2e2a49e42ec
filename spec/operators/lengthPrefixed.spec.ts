import { Observable, Subject, from, take, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { FrameTooLargeError, TransportError } from '../../src/core/errors';
import { IncompleteFrameError } from '../../src/core/errors';
import { lengthPrefixed } from '../../src/operators/lengthPrefixed';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs `chunks` through `operator` synchronously: the payloads, then how it ended. */
function run(chunks: Uint8Array[], operator: ReturnType<typeof lengthPrefixed>): unknown[] {
  const seen: unknown[] = [];
  from(chunks)
    .pipe(operator)
    .subscribe({
      next: (payload) => seen.push(payload),
      error: (err: unknown) => seen.push({ error: (err as { code?: unknown }).code }),
      complete: () => seen.push('|'),
    });
  return seen;
}

describe('lengthPrefixed', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('emits each payload once its last byte arrives, empty payloads included', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-----|', { a: bytes(0, 2, 104), b: bytes(105, 0, 0, 0, 1, 33) });
      expectObservable(source.pipe(lengthPrefixed({ headerBytes: 2 }))).toBe('---(xyz)-|', {
        x: encode('hi'),
        y: bytes(),
        z: encode('!'),
      });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('reads a header split across chunks', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', {
        a: bytes(0),
        b: bytes(0),
        c: bytes(1),
        d: bytes(44, ...new Uint8Array(300).fill(7)),
      });
      expectObservable(source.pipe(lengthPrefixed({ headerBytes: 4 }))).toBe('-------x-|', {
        x: new Uint8Array(300).fill(7),
      });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('assembles a payload that spans several chunks', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c----|', {
        a: bytes(5, 1, 2),
        b: bytes(3),
        c: bytes(4, 5, 1, 9),
      });
      expectObservable(source.pipe(lengthPrefixed({ headerBytes: 1 }))).toBe('-----(xy)-|', {
        x: bytes(1, 2, 3, 4, 5),
        y: bytes(9),
      });
      expectSubscriptions(source.subscriptions).toBe('^---------!');
    });
  });

  it('reads the header as big-endian and unsigned', () => {
    const payload = new Uint8Array(0x8001).fill(1);
    const result = run(
      [bytes(0x80, 0x01), payload, bytes(0, 0xff), new Uint8Array(0xff).fill(2)],
      lengthPrefixed({ headerBytes: 2 }),
    );
    expect(result).toHaveLength(3);
    expect(Buffer.compare(result[0] as Uint8Array, payload)).toBe(0); // faster than toEqual
    expect(result.slice(1)).toEqual([new Uint8Array(0xff).fill(2), '|']);
  });

  it('reads a 4-byte header with its top bit set as unsigned, whole or split', () => {
    expect(run([bytes(0x80, 0, 0, 1)], lengthPrefixed({ headerBytes: 4, maxFrame: 10 }))).toEqual([
      { error: 'ERR_FRAME_TOO_LARGE' },
    ]);
    const errors: unknown[] = [];
    for (const chunks of [
      [bytes(0xff, 0xff, 0xff, 0xff)],
      [bytes(0xff), bytes(0xff, 0xff, 0xff)],
    ]) {
      from(chunks)
        .pipe(lengthPrefixed({ headerBytes: 4 }))
        .subscribe({ error: (err: unknown) => errors.push((err as Error).message) });
    }
    expect(errors).toEqual([
      'The source completed inside a frame (0 of 4294967295 payload bytes)',
      'The source completed inside a frame (0 of 4294967295 payload bytes)',
    ]);
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

  it('stops reading the chunk when the consumer unsubscribes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: bytes(1, 65, 1, 66), b: bytes(1, 67) });
      expectObservable(source.pipe(lengthPrefixed({ headerBytes: 1 }), take(1))).toBe('-(x|)', {
        x: bytes(65),
      });
      expectSubscriptions(source.subscriptions).toBe('^!');
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

  it('keeps payload order when the source sends a chunk while a payload is being emitted', () => {
    const source = new Subject<Uint8Array>();
    const seen: number[] = [];
    source.pipe(lengthPrefixed({ headerBytes: 1 })).subscribe({
      next: (payload) => {
        seen.push(payload[0] ?? -1);
        if (payload[0] === 1) {
          source.next(bytes(3, 1, 4));
          source.complete();
        }
      },
      complete: () => seen.push(0),
    });
    source.next(bytes(1, 1, 1, 2, 1));
    expect(seen).toEqual([1, 2, 3, 4, 0]);
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

  describe('options', () => {
    it('throws ERR_INVALID_ARG_TYPE at once without an options object', () => {
      for (const options of [undefined, null, 2]) {
        expect(() => lengthPrefixed(options as unknown as { headerBytes: 2 })).toThrow(
          expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
        );
      }
    });

    it('throws at once for a headerBytes other than 1, 2 or 4', () => {
      for (const headerBytes of [0, 3, 8, 2.5, NaN]) {
        expect(() => lengthPrefixed({ headerBytes: headerBytes as 1 })).toThrow(
          expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
        );
      }
      for (const headerBytes of [undefined, '2']) {
        expect(() => lengthPrefixed({ headerBytes: headerBytes as unknown as 1 })).toThrow(
          expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
        );
      }
    });

    it('throws at once for a maxFrame that is not a non-negative integer', () => {
      for (const maxFrame of [-1, 1.5, NaN]) {
        expect(() => lengthPrefixed({ headerBytes: 2, maxFrame })).toThrow(
          expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
        );
      }
      expect(() => lengthPrefixed({ headerBytes: 2, maxFrame: '8' as unknown as number })).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    });
  });

  describe('memory', () => {
    it('emits a payload that lies inside one chunk as a view of that chunk', () => {
      const chunk = bytes(1, 65, 2, 66, 67, 3, 68);
      const payloads = run([chunk, bytes(69, 70)], lengthPrefixed({ headerBytes: 1 }));
      expect(payloads).toEqual([bytes(65), bytes(66, 67), bytes(68, 69, 70), '|']);
      expect((payloads[0] as Uint8Array).buffer).toBe(chunk.buffer);
      expect((payloads[1] as Uint8Array).buffer).toBe(chunk.buffer);
      expect((payloads[2] as Uint8Array).buffer).not.toBe(chunk.buffer);
    });

    it('emits views at the right place of a chunk that starts inside its buffer', () => {
      const backing = new Uint8Array(32).fill(0xee);
      backing.set([2, 65, 66, 0, 1, 67], 10);
      const chunk = backing.subarray(10, 16);
      const payloads = run([chunk], lengthPrefixed({ headerBytes: 1 }));
      expect(payloads).toEqual([bytes(65, 66), bytes(), bytes(67), '|']);
      expect((payloads[0] as Uint8Array).byteOffset).toBe(11);
      expect((payloads[2] as Uint8Array).byteOffset).toBe(15);
      const pooled = Buffer.from([0, 2, 68, 69]); // Node's pool: a non-zero byteOffset
      expect(run([pooled], lengthPrefixed({ headerBytes: 2 }))).toEqual([bytes(68, 69), '|']);
    });

    it('emits an empty payload that does not keep its chunk alive', () => {
      const chunk = bytes(0, 1, 65);
      const payloads = run([chunk], lengthPrefixed({ headerBytes: 1 }));
      expect(payloads).toEqual([bytes(), bytes(65), '|']);
      expect((payloads[0] as Uint8Array).buffer).not.toBe(chunk.buffer);
    });

    it('copies a partial payload, so a producer may reuse its buffer', () => {
      const buffer = bytes(2, 97);
      const source = new Observable<Uint8Array>((subscriber) => {
        subscriber.next(buffer);
        buffer.fill(0x7a); // the producer reads its next chunk into the same memory
        subscriber.next(bytes(98));
        subscriber.complete();
      });
      let result: Uint8Array[] = [];
      source.pipe(lengthPrefixed({ headerBytes: 1 }), toArray()).subscribe((all) => {
        result = all;
      });
      expect(result).toEqual([bytes(97, 98)]);
    });

    it('assembles a large payload from small chunks in a buffer of its exact size', () => {
      const payload = new Uint8Array(200_000).map((_, i) => i % 251);
      const stream = new Uint8Array(4 + payload.byteLength);
      stream.set(bytes(0, 3, 0x0d, 0x40));
      stream.set(payload, 4);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < stream.byteLength; i += 7_001) chunks.push(stream.subarray(i, i + 7_001));
      const result = run(chunks, lengthPrefixed({ headerBytes: 4 }));
      expect(result).toHaveLength(2);
      expect(Buffer.compare(result[0] as Uint8Array, payload)).toBe(0); // faster than toEqual
      expect((result[0] as Uint8Array).buffer.byteLength).toBe(200_000);
      expect(result[1]).toBe('|');
    });
  });
});
