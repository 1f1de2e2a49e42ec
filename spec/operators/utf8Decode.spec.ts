import { Subject, from, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { utf8Decode } from '../../src/operators/utf8Decode';
import { utf8Encode } from '../../src/operators/utf8Encode';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe('utf8Decode', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('holds a character split across chunks until its last byte arrives', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b--c--|', { a: bytes(0x68, 0xe2), b: bytes(0x82), c: bytes(0xac) });
      expectObservable(source.pipe(utf8Decode())).toBe('--x-----y--|', { x: 'h', y: '€' });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('decodes a four-byte character sent one byte per chunk', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', {
        a: bytes(0xf0),
        b: bytes(0x9f),
        c: bytes(0x98),
        d: bytes(0x80, 0x21),
      });
      expectObservable(source.pipe(utf8Decode())).toBe('-------x-|', { x: '😀!' });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('emits nothing for an empty chunk', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: bytes(0x61), b: bytes(), c: bytes(0x62) });
      expectObservable(source.pipe(utf8Decode())).toBe('-x---y-|', { x: 'a', y: 'b' });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('flushes an unfinished character as U+FFFD when the source completes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-|', { a: bytes(0x68, 0xe2, 0x82) });
      expectObservable(source.pipe(utf8Decode())).toBe('-x-(y|)', { x: 'h', y: '\uFFFD' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('decodes malformed UTF-8 as U+FFFD and keeps a byte order mark', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: bytes(0xef, 0xbb, 0xbf, 0x41), b: bytes(0xff, 0x42) });
      expectObservable(source.pipe(utf8Decode())).toBe('-x-y-|', {
        x: '\uFEFFA',
        y: '\uFFFDB',
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes a source error on and drops an unfinished character', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', { a: bytes(0x6f, 0x6b, 0xc3) }, new Error('reset'));
      expectObservable(source.pipe(utf8Decode())).toBe('-x-#', { x: 'ok' }, new Error('reset'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('errors with ERR_INVALID_ARG_TYPE on a value that is not bytes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: bytes(0x6f, 0x6b), b: 'text' as unknown as Uint8Array });
      expectObservable(source.pipe(utf8Decode())).toBe(
        '-x-#',
        { x: 'ok' },
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('keeps a separate decoder for each subscription', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const decode = utf8Decode();
      const first = cold('-a-|', { a: bytes(0xc3) });
      const second = cold('---a-|', { a: bytes(0xa9) });
      expectObservable(first.pipe(decode)).toBe('---(x|)', { x: '\uFFFD' });
      expectObservable(second.pipe(decode)).toBe('---x-|', { x: '\uFFFD' });
      expectSubscriptions(first.subscriptions).toBe('^--!');
      expectSubscriptions(second.subscriptions).toBe('^----!');
    });
  });

  it('keeps text order when the source sends a chunk while text is being emitted', () => {
    const source = new Subject<Uint8Array>();
    const seen: string[] = [];
    source.pipe(utf8Decode()).subscribe({
      next: (text) => {
        seen.push(text);
        if (text === 'a') {
          source.next(bytes(0xa9));
          source.complete();
        }
      },
      complete: () => seen.push('|'),
    });
    source.next(bytes(0x61, 0xc3));
    expect(seen).toEqual(['a', 'é', '|']);
  });

  it('round-trips through utf8Encode()', () => {
    const text = ['plain', 'accentué', '€ and 😀', '', '\uFEFFbom'];
    let result: string[] = [];
    from(text)
      .pipe(utf8Encode(), utf8Decode(), toArray())
      .subscribe((all) => {
        result = all;
      });
    expect(result).toEqual(text.filter((part) => part !== ''));
  });
});
