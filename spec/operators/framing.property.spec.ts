/**
 * Property tests of the framing operators: the output never depends on where the source cut its
 * chunks, and each encoder round-trips through its decoder.
 */
import fc from 'fast-check';
import { from, type OperatorFunction } from 'rxjs';
import { delimited } from '../../src/operators/delimited';
import { encodeLengthPrefixed } from '../../src/operators/encodeLengthPrefixed';
import { lengthPrefixed } from '../../src/operators/lengthPrefixed';
import { lines } from '../../src/operators/lines';
import { utf8Decode } from '../../src/operators/utf8Decode';
import { utf8Encode } from '../../src/operators/utf8Encode';

const numRuns = 200;

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
/** One character per byte: readable in a counterexample, and comparable with `===`. */
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  return all;
}

/** `bytes` cut at `points` (taken modulo its length + 1, so repeats give empty chunks). */
function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const sorted = points.map((point) => point % (bytes.byteLength + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of sorted) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** `bytes` one byte per chunk. */
const bytewise = (bytes: Uint8Array): Uint8Array[] =>
  Array.from({ length: bytes.byteLength }, (_, i) => bytes.subarray(i, i + 1));

/** Runs `chunks` through `operator` synchronously: the values, then how it ended. */
function outcome<T>(chunks: readonly Uint8Array[], operator: OperatorFunction<Uint8Array, T>) {
  const seen: unknown[] = [];
  from(chunks)
    .pipe(operator)
    .subscribe({
      next: (value) => seen.push(value instanceof Uint8Array ? latin1(value) : value),
      error: (err: unknown) => seen.push({ error: (err as { code?: unknown }).code }),
      complete: () => seen.push('|'),
    });
  return seen;
}

/**
 * Checks that `bytes` gives the same outcome whole, cut at `points`, byte by byte, and cut in
 * two at each offset (so that every frame boundary and delimiter is split at every position).
 */
function expectChunkIndependent<T>(
  bytes: Uint8Array,
  points: readonly number[],
  operator: () => OperatorFunction<Uint8Array, T>,
): void {
  const whole = outcome([bytes], operator());
  expect(outcome(cut(bytes, points), operator())).toEqual(whole);
  expect(outcome(bytewise(bytes), operator())).toEqual(whole);
  for (let i = 1; i < bytes.byteLength; i++) {
    expect(outcome(cut(bytes, [i]), operator())).toEqual(whole);
  }
}

const cutPoints = fc.array(fc.nat(), { maxLength: 12 });
const optionalLimit = (max: number) => fc.option(fc.nat({ max }), { nil: undefined });

/** Byte strings rich in what framing cares about: terminators, multi-byte and invalid UTF-8. */
const textualBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom(...['\n', '\r', '\r\n', 'a', 'é', '€', '😀', '\uFEFF'].map(encode)),
      fc.uint8Array({ minLength: 1, maxLength: 3 }),
    ),
    { maxLength: 30 },
  )
  .map(concat);

/** A length-prefixed stream: whole frames, then perhaps a partial one or stray bytes. */
function frame(payload: Uint8Array, headerBytes: 1 | 2 | 4): Uint8Array {
  const header = new Uint8Array(headerBytes);
  for (let i = headerBytes - 1, rest = payload.byteLength; i >= 0; i--, rest >>>= 8) {
    header[i] = rest & 0xff;
  }
  return concat([header, payload]);
}

describe('framing operators (properties)', () => {
  describe('lines', () => {
    it('gives the same lines and ending for any split of the input', () => {
      fc.assert(
        fc.property(textualBytes, cutPoints, optionalLimit(12), (bytes, points, maxLength) => {
          expectChunkIndependent(bytes, points, () =>
            lines(maxLength === undefined ? {} : { maxLength }),
          );
        }),
        { numRuns },
      );
    });
  });

  describe('delimited', () => {
    // A four-byte alphabet, so that delimiters (self-overlapping ones included) are common; with
    // bytes that delimited() finds rare (\n), less rare (-) and common (a, b) in its search.
    const abc = (maxLength: number, minLength = 0) =>
      fc
        .array(fc.constantFrom(0x0a, 0x2d, 0x61, 0x62), { minLength, maxLength })
        .map((values) => new Uint8Array(values));
    /** A delimiter, and bytes made of it, its beginnings and single letters. */
    const delimiterAndBytes = abc(4, 1).chain((delimiter) =>
      fc.tuple(
        fc.constant(delimiter),
        fc
          .array(
            fc.oneof(
              fc.nat({ max: delimiter.byteLength }).map((n) => delimiter.subarray(0, n)),
              abc(1, 1),
            ),
            { maxLength: 30 },
          )
          .map(concat),
      ),
    );

    it('gives the same frames and ending for any split of the input', () => {
      fc.assert(
        fc.property(
          delimiterAndBytes,
          cutPoints,
          optionalLimit(10),
          ([delimiter, bytes], points, maxLength) => {
            expectChunkIndependent(bytes, points, () =>
              delimited(delimiter, maxLength === undefined ? {} : { maxLength }),
            );
          },
        ),
        { numRuns },
      );
    });

    it('splits as String.prototype.split does, dropping a last empty frame', () => {
      fc.assert(
        fc.property(delimiterAndBytes, optionalLimit(10), ([delimiter, bytes], maxLength) => {
          const limit = maxLength ?? Infinity;
          const parts = latin1(bytes).split(latin1(delimiter));
          if (parts[parts.length - 1] === '') parts.pop();
          const tooLong = parts.findIndex((part) => part.length > limit);
          const expected =
            tooLong < 0
              ? [...parts, '|']
              : [...parts.slice(0, tooLong), { error: 'ERR_FRAME_TOO_LARGE' }];
          const options = maxLength === undefined ? {} : { maxLength };
          expect(outcome([bytes], delimited(delimiter, options))).toEqual(expected);
        }),
        { numRuns },
      );
    });
  });

  describe('lengthPrefixed', () => {
    const headerBytes = fc.constantFrom<1 | 2 | 4>(1, 2, 4);

    it('gives the same payloads and ending for any split of the input', () => {
      const stream = fc
        .tuple(
          headerBytes,
          fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }),
          fc.uint8Array({ maxLength: 6 }), // stray bytes: a partial or oversized frame
          fc.boolean(),
        )
        .map(([size, payloads, stray, addStray]) => ({
          size,
          bytes: concat([
            ...payloads.map((payload) => frame(payload, size)),
            addStray ? stray : new Uint8Array(0),
          ]),
        }));
      fc.assert(
        fc.property(stream, cutPoints, optionalLimit(40), ({ size, bytes }, points, maxFrame) => {
          expectChunkIndependent(bytes, points, () =>
            lengthPrefixed(
              maxFrame === undefined ? { headerBytes: size } : { headerBytes: size, maxFrame },
            ),
          );
        }),
        { numRuns },
      );
    });

    it('reads only its chunks when they lie inside larger buffers', () => {
      const placed = (chunks: readonly Uint8Array[], noise: number): Uint8Array[] =>
        chunks.map((chunk, i) => {
          const backing = new Uint8Array(chunk.byteLength + 2 * i + 2).fill(noise);
          backing.set(chunk, i + 1);
          return backing.subarray(i + 1, i + 1 + chunk.byteLength);
        });
      const stream = fc.tuple(
        headerBytes,
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 255 }),
      );
      fc.assert(
        fc.property(stream, cutPoints, ([size, payloads, noise], points) => {
          const bytes = concat(payloads.map((payload) => frame(payload, size)));
          const expected = [...payloads.map(latin1), '|'];
          expect(
            outcome(placed(cut(bytes, points), noise), lengthPrefixed({ headerBytes: size })),
          ).toEqual(expected);
        }),
        { numRuns },
      );
    });

    it('round-trips any payloads from encodeLengthPrefixed, however the frames are cut', () => {
      const payloadsFor = (size: 1 | 2 | 4) =>
        fc.tuple(
          fc.constant(size),
          fc.array(fc.uint8Array({ maxLength: size === 1 ? 255 : 600 }), { maxLength: 8 }),
        );
      fc.assert(
        fc.property(headerBytes.chain(payloadsFor), cutPoints, ([size, payloads], points) => {
          const frames: Uint8Array[] = [];
          from(payloads)
            .pipe(encodeLengthPrefixed({ headerBytes: size }))
            .subscribe((encoded) => frames.push(encoded));
          const bytes = concat(frames);
          const expected = [...payloads.map(latin1), '|'];
          const maxFrame = Math.max(0, ...payloads.map((payload) => payload.byteLength));
          expect(outcome(frames, lengthPrefixed({ headerBytes: size }))).toEqual(expected);
          expect(outcome(cut(bytes, points), lengthPrefixed({ headerBytes: size }))).toEqual(
            expected,
          );
          expect(outcome(bytewise(bytes), lengthPrefixed({ headerBytes: size, maxFrame }))).toEqual(
            expected,
          );
        }),
        { numRuns },
      );
    });
  });

  describe('encodeLengthPrefixed', () => {
    it('emits frames that share no bytes, small or large, however many', () => {
      const payloads = fc.array(fc.uint8Array({ maxLength: 1300 }), { maxLength: 40 });
      fc.assert(
        fc.property(payloads, (all) => {
          const frames: Uint8Array[] = [];
          from(all)
            .pipe(encodeLengthPrefixed({ headerBytes: 2 }))
            .subscribe((encoded) => frames.push(encoded));
          const expected = all.map((payload) => latin1(frame(payload, 2)));
          expect(frames.map(latin1)).toEqual(expected);
          // Overwriting each frame in turn leaves every other one as it was.
          for (const [i, encoded] of frames.entries()) {
            encoded.fill(0xee);
            expect(latin1(encoded)).toBe('\xee'.repeat(encoded.byteLength));
            expect(frames.slice(i + 1).map(latin1)).toEqual(expected.slice(i + 1));
          }
        }),
        { numRuns },
      );
    });
  });

  describe('utf8Decode', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }), // any code point but lone surrogates
      fc.string({ unit: 'grapheme', maxLength: 20 }),
    );

    it('round-trips any strings from utf8Encode, however the bytes are cut', () => {
      fc.assert(
        fc.property(fc.array(text, { maxLength: 5 }), cutPoints, (strings, points) => {
          const encoded: Uint8Array[] = [];
          from(strings)
            .pipe(utf8Encode())
            .subscribe((bytes) => encoded.push(bytes));
          const bytes = concat(encoded);
          for (const chunks of [encoded, cut(bytes, points), bytewise(bytes)]) {
            const decoded = outcome(chunks, utf8Decode());
            expect(decoded.pop()).toBe('|');
            expect(decoded).not.toContain('');
            expect(decoded.join('')).toBe(strings.join(''));
          }
        }),
        { numRuns },
      );
    });

    it('decodes any bytes, valid or not, as one TextDecoder would, however they are cut', () => {
      fc.assert(
        fc.property(textualBytes, cutPoints, (bytes, points) => {
          const expected = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
          for (const chunks of [cut(bytes, points), bytewise(bytes)]) {
            const decoded = outcome(chunks, utf8Decode());
            expect(decoded.pop()).toBe('|');
            expect(decoded.join('')).toBe(expected);
          }
        }),
        { numRuns },
      );
    });
  });
});
