import { from, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { lines } from '../../src/operators/lines';
import { utf8Encode } from '../../src/operators/utf8Encode';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe('utf8Encode', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('encodes each string as one Uint8Array', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b--c--|', { a: 'hi\n', b: 'é', c: '' });
      expectObservable(source.pipe(utf8Encode())).toBe('--x--y--z--|', {
        x: bytes(0x68, 0x69, 0x0a),
        y: bytes(0xc3, 0xa9),
        z: bytes(),
      });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('encodes characters outside the BMP as four bytes and lone surrogates as U+FFFD', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: '😀', b: '\uD800' });
      expectObservable(source.pipe(utf8Encode())).toBe('-x-y-|', {
        x: bytes(0xf0, 0x9f, 0x98, 0x80),
        y: bytes(0xef, 0xbf, 0xbd),
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes a source error on', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', { a: 'ok' }, new Error('boom'));
      expectObservable(source.pipe(utf8Encode())).toBe(
        '-x-#',
        { x: bytes(0x6f, 0x6b) },
        new Error('boom'),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('errors with ERR_INVALID_ARG_TYPE on a value that is not a string', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: 'ok', b: 42 as unknown as string });
      const result = source.pipe(utf8Encode());
      expectObservable(result).toBe(
        '-x-#',
        { x: bytes(0x6f, 0x6b) },
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('round-trips through lines()', () => {
    const text = ['plain', 'accentué', '€ and 😀', ''];
    let result: string[] = [];
    from(text.map((line) => `${line}\n`))
      .pipe(utf8Encode(), lines(), toArray())
      .subscribe((all) => {
        result = all;
      });
    expect(result).toEqual(text);
  });
});
