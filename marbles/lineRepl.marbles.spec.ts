/**
 * A subprocess driven line by line, as a REPL (examples/pipelines/lineRepl.ts), over
 * `marbleSubprocess`: `stdout` draws when the child answers, `stdinWritten$` shows that each
 * command leaves only once the answer before it has come, and `exit` when the child exits.
 */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { marbleSubprocess } from '../src/testing/index';
import { replSession } from '../examples/pipelines/lineRepl';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('a subprocess driven line by line', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('sends each command once the answer to the one before has come', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable } = helpers;
      // The child answers in pieces: "2\n" at 2, "4" at 5 and "\n6\n" at 6.
      const child = marbleSubprocess(helpers, {
        stdout: '--a--bc--|',
        exit: '---------0',
        values: { a: '2\n', b: '4', c: '\n6\n' },
      });
      const commands = cold('(xyz|)', { x: '1+1', y: '2+2', z: '3+3' });
      expectObservable(replSession(child, commands)).toBe('--a---(bc|)', {
        a: '2',
        b: '4',
        c: '6',
      });
      // 2+2 goes when 2 has come; 3+3 when 4 has, and stdin closes after the last answer.
      expectObservable(child.stdinWritten$.pipe(map(decode))).toBe('x-y---(z|)', {
        x: '1+1\n',
        y: '2+2\n',
        z: '3+3\n',
      });
      expectObservable(child.exit$).toBe('---------(e|)', { e: 0 });
    });
  });

  it('errors when the child dies before answering, killed by a signal', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable } = helpers;
      const child = marbleSubprocess(helpers, {
        stdout: '--a---',
        exit: '----k',
        values: { a: 'ok\n', k: -9 },
      });
      const commands = cold('(xy|)', { x: 'print("ok")', y: 'loop()' });
      expectObservable(replSession(child, commands)).toBe(
        '--a-#',
        { a: 'ok' },
        expect.objectContaining({ name: 'TransportClosedError' }),
      );
      expectObservable(child.exit$).toBe('----(k|)', { k: -9 });
    });
  });
});
