/**
 * lengthPrefixed decoding: payloads cut at chunk boundaries (headers and payloads split across
 * chunks), the big-endian unsigned header, and payload order under unsubscription and re-entrant
 * sources.
 */
import { Subject, from, take } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { lengthPrefixed } from '../../src/operators/lengthPrefixed';
import { utf8 as encode } from '../helpers/bytes';
import { bytes, newTestScheduler, run } from './lengthPrefixed.helpers';

describe('lengthPrefixed', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newTestScheduler();
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

  it('stops reading the chunk when the consumer unsubscribes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: bytes(1, 65, 1, 66), b: bytes(1, 67) });
      expectObservable(source.pipe(lengthPrefixed({ headerBytes: 1 }), take(1))).toBe('-(x|)', {
        x: bytes(65),
      });
      expectSubscriptions(source.subscriptions).toBe('^!');
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
});
