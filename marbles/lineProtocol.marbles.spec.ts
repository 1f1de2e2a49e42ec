/**
 * A line protocol with a maximum line length (examples/pipelines/lineServer.ts, the server of
 * `npm run demo`): bytes → `lines({ maxLength })` → one reply per line → bytes, in virtual time.
 *
 * In the diagrams, `incoming` is what the client sends (chunks cut anywhere), `written$` what
 * the server writes back (`|` is its EOF or its close); `closed$` emits when the transport is gone.
 */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionResetError } from '../src/index';
import { marbleTransport } from '../src/testing/index';
import {
  commands,
  lineTooLongReply,
  serveLines,
  upperCase,
} from '../examples/pipelines/lineServer';
import { useExceptionReports } from '../spec/helpers/exceptions';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('a line protocol with a maximum line length', () => {
  const reported = useExceptionReports();
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('answers each line, whatever the chunk boundaries, then sends EOF after the client', () => {
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const conn = marbleTransport(helpers, {
        incoming: '-a--b--c----|',
        values: { a: 'PI', b: 'NG\r\nECHO hel', c: 'lo\nADD 2 40\n' },
      });
      serveLines(conn, commands);
      // A line is answered on the frame its terminator arrives; c completes two lines, whose
      // answers, written on one frame, leave together. The client's EOF (frame 12) is
      // answered with the server's, and the connection closes.
      expectObservable(conn.written$.pipe(map(decode))).toBe('----p--e----|', {
        p: 'PONG\n',
        e: 'hello\n42\n',
      });
      expectObservable(conn.closed$).toBe('------------(n|)', { n: null });
    });
  });

  it('answers an unknown command with an ERR line and goes on', () => {
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const conn = marbleTransport(helpers, {
        incoming: '-a-b-|',
        values: { a: 'FLY\n', b: 'ADD one\n' },
      });
      serveLines(conn, commands);
      expectObservable(conn.written$.pipe(map(decode))).toBe('-x-y-|', {
        x: 'ERR unknown command "FLY"\n',
        y: 'ERR ADD takes numbers\n',
      });
    });
  });

  it('accepts a line of exactly maxLength bytes, the terminator not counted', () => {
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const conn = marbleTransport(helpers, {
        incoming: '-a-|',
        values: { a: 'abcdefgh\r\n' },
      });
      serveLines(conn, upperCase, { maxLength: 8 });
      expectObservable(conn.written$.pipe(map(decode))).toBe('-x-|', { x: 'ABCDEFGH\n' });
    });
  });

  it('answers a line over maxLength with an error, then closes the connection', () => {
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const conn = marbleTransport(helpers, {
        incoming: '-a--b--c--d-|',
        values: { a: 'ok\n', b: 'this line', c: ' never ends', d: 'late\n' },
      });
      serveLines(conn, upperCase, { maxLength: 16 });
      // At c the line has 20 bytes and no end in sight: the server answers and closes at once,
      // without waiting for (or buffering) the rest; d and the client's EOF are never read.
      expectObservable(conn.written$.pipe(map(decode))).toBe('-o-----(e|)', {
        o: 'OK\n',
        e: `${lineTooLongReply(16)}\n`,
      });
      expectObservable(conn.closed$).toBe('-------(n|)', { n: null });
      expectObservable(conn.data$.pipe(map(decode))).toBe('-a--b--(c|)', {
        a: 'ok\n',
        b: 'this line',
        c: ' never ends',
      });
    });
  });

  it('ends quietly when the client resets the connection', () => {
    // A reset is not a bug of the program: the transport reports it on closed$, not to the handler.
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const reset = new ConnectionResetError('ECONNRESET', 'read ECONNRESET');
      const conn = marbleTransport(helpers, {
        incoming: '-a--#',
        values: { a: 'hi\n' },
        error: reset,
      });
      serveLines(conn, upperCase);
      expectObservable(conn.written$.pipe(map(decode))).toBe('-h--|', { h: 'HI\n' });
      expectObservable(conn.closed$).toBe('----(e|)', { e: reset });
    });
    expect(reported.take()).toEqual([]);
  });
});
