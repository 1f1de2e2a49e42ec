import { Subject, from } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { FrameTooLargeError } from '../../src/core/errors';
import { encodeLengthPrefixed } from '../../src/operators/encodeLengthPrefixed';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs `payloads` through `operator` synchronously: the frames, then how it ended. */
function run(payloads: unknown[], operator: ReturnType<typeof encodeLengthPrefixed>): unknown[] {
  const seen: unknown[] = [];
  from(payloads as Uint8Array[])
    .pipe(operator)
    .subscribe({
      next: (frame) => seen.push(frame),
      error: (err: unknown) => seen.push({ error: (err as { code?: unknown }).code }),
      complete: () => seen.push('|'),
    });
  return seen;
}

describe('encodeLengthPrefixed', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('emits one frame per payload, header then payload, empty payloads included', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b--|', { a: encode('hi'), b: bytes() });
      expectObservable(source.pipe(encodeLengthPrefixed({ headerBytes: 2 }))).toBe('--x--y--|', {
        x: bytes(0, 2, 104, 105),
        y: bytes(0, 0),
      });
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
  });

  it('writes the length big-endian in 1, 2 or 4 bytes', () => {
    const payload = new Uint8Array(300).fill(9);
    expect(run([bytes(7)], encodeLengthPrefixed({ headerBytes: 1 }))).toEqual([bytes(1, 7), '|']);
    const [two] = run([payload], encodeLengthPrefixed({ headerBytes: 2 })) as Uint8Array[];
    expect(two!.subarray(0, 2)).toEqual(bytes(1, 44));
    const [four] = run([payload], encodeLengthPrefixed({ headerBytes: 4 })) as Uint8Array[];
    expect(four!.subarray(0, 4)).toEqual(bytes(0, 0, 1, 44));
    expect(four!.subarray(4)).toEqual(payload);
  });

  it('accepts the longest payload the header can announce', () => {
    const [one] = run([new Uint8Array(255)], encodeLengthPrefixed({ headerBytes: 1 }));
    expect((one as Uint8Array).subarray(0, 1)).toEqual(bytes(255));
    const [two] = run([new Uint8Array(65535)], encodeLengthPrefixed({ headerBytes: 2 }));
    expect((two as Uint8Array).subarray(0, 2)).toEqual(bytes(255, 255));
  });

  it('errors with FrameTooLargeError on a payload too long for the header', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: bytes(1), b: new Uint8Array(256), c: bytes(2) });
      expectObservable(source.pipe(encodeLengthPrefixed({ headerBytes: 1 }))).toBe(
        '-x-#',
        { x: bytes(1, 1) },
        new FrameTooLargeError('A payload of 256 bytes does not fit a 1-byte header (at most 255)'),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(run([new Uint8Array(65536)], encodeLengthPrefixed({ headerBytes: 2 }))).toEqual([
      { error: 'ERR_FRAME_TOO_LARGE' },
    ]);
  });

  it('accepts any ArrayBufferView or ArrayBuffer, and copies it', () => {
    const payload = bytes(1, 2, 3, 4);
    const frames = run(
      [payload, new DataView(payload.buffer, 1, 2), payload.buffer, Buffer.from('ok')],
      encodeLengthPrefixed({ headerBytes: 1 }),
    );
    payload.fill(0); // the caller reuses its buffer
    expect(frames).toEqual([
      bytes(4, 1, 2, 3, 4),
      bytes(2, 2, 3),
      bytes(4, 1, 2, 3, 4),
      bytes(2, 111, 107),
      '|',
    ]);
  });

  it('writes every byte of a 4-byte length', () => {
    const payload = new Uint8Array(0x010203).fill(5);
    const [frame] = run([payload], encodeLengthPrefixed({ headerBytes: 4 })) as Uint8Array[];
    expect(frame!.subarray(0, 4)).toEqual(bytes(0, 1, 2, 3));
    expect(frame!.byteLength).toBe(4 + 0x010203);
  });

  it('gives each frame bytes of its own, however many small frames it emits', () => {
    const sizes = Array.from({ length: 600 }, (_, i) => (i * 37) % 1500);
    const payloads = sizes.map((size, i) => new Uint8Array(size).fill(i % 256));
    const frames = run(payloads, encodeLengthPrefixed({ headerBytes: 2 })).slice(0, -1);
    for (const frame of frames as Uint8Array[]) frame.fill(0xee, 2); // a consumer reuses them
    for (const [i, frame] of (frames as Uint8Array[]).entries()) {
      expect(frame.byteLength).toBe(2 + (sizes[i] as number));
      expect(frame.subarray(0, 2)).toEqual(
        bytes((sizes[i] as number) >>> 8, (sizes[i] as number) & 0xff),
      );
    }
  });

  it('keeps framing after a consumer transfers the buffer of a frame', () => {
    const seen: Uint8Array[] = [];
    const source = new Subject<Uint8Array>();
    source.pipe(encodeLengthPrefixed({ headerBytes: 1 })).subscribe((frame) => {
      seen.push(frame.slice());
      const buffer = frame.buffer as ArrayBuffer; // the operator never uses a SharedArrayBuffer
      structuredClone(buffer, { transfer: [buffer] }); // detaches it
      expect(frame.byteLength).toBe(0);
    });
    source.next(bytes(1, 2));
    source.next(bytes(3));
    source.complete();
    expect(seen).toEqual([bytes(2, 1, 2), bytes(1, 3)]);
  });

  it('errors with ERR_INVALID_ARG_TYPE on a value that is not bytes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: bytes(1), b: 'text' as unknown as Uint8Array });
      expectObservable(source.pipe(encodeLengthPrefixed({ headerBytes: 4 }))).toBe(
        '-x-#',
        { x: bytes(0, 0, 0, 1, 1) },
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('passes a source error on', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', { a: bytes(5) }, new Error('boom'));
      expectObservable(source.pipe(encodeLengthPrefixed({ headerBytes: 1 }))).toBe(
        '-x-#',
        { x: bytes(1, 5) },
        new Error('boom'),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('throws at once for missing options or a headerBytes other than 1, 2 or 4', () => {
    for (const options of [undefined, null, 'big']) {
      expect(() => encodeLengthPrefixed(options as unknown as { headerBytes: 1 })).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    }
    for (const headerBytes of [0, 3, 8, 1.5]) {
      expect(() => encodeLengthPrefixed({ headerBytes: headerBytes as 1 })).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
    }
    expect(() => encodeLengthPrefixed({ headerBytes: '1' as unknown as 1 })).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
