/**
 * Reconnect with exponential backoff (examples/pipelines/reconnect.ts), in virtual time.
 *
 * `fromConnection` opens real sockets, so the pattern takes a connection factory of its shape,
 * and these tests give it marble connections: each attempt is a cold marble, `#` a failed
 * connect (ECONNREFUSED) and `c` the moment it connects; a connected attempt then plays a
 * marble transport. The subscriptions to the attempts are the reconnect times.
 */
import { Observable, Subject, switchMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionRefusedError, ConnectionResetError, type SocketTransport } from '../src/index';
import { lines } from '../src/operators/index';
import { marbleTransport, type MarbleTransportOptions } from '../src/testing/index';
import {
  backoffDelay,
  readLines,
  reconnecting,
  type ConnectionFactory,
} from '../examples/pipelines/reconnect';

type RunHelpers = Parameters<Parameters<TestScheduler['run']>[0]>[0];

const refused = new ConnectionRefusedError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:7000');
const reset = new ConnectionResetError('ECONNRESET', 'read ECONNRESET');

/**
 * `fromConnection`'s behaviour over a marble transport: when `connecting` emits, a transport
 * playing `incoming` is emitted; the Observable errors when that transport is lost with an
 * error, completes when it closes cleanly, and closes it on unsubscribe. `connecting` erroring
 * is a failed connect.
 */
function marbleConnection(
  helpers: RunHelpers,
  connecting: Observable<unknown>,
  options: MarbleTransportOptions,
  opened: SocketTransport[] = [],
): Observable<SocketTransport> {
  return connecting.pipe(
    switchMap(
      () =>
        new Observable<SocketTransport>((subscriber) => {
          const transport = marbleTransport(helpers, options);
          opened.push(transport);
          subscriber.next(transport);
          const lost = transport.closed$.subscribe((exc) => {
            if (exc) subscriber.error(exc);
            else subscriber.complete();
          });
          return () => {
            lost.unsubscribe();
            transport.close();
          };
        }),
    ),
  );
}

/** A factory returning `attempts` in turn, reporting each call on `calls$` (`1`, `2`, ...). */
function factory(attempts: readonly Observable<SocketTransport>[]): {
  connect: ConnectionFactory;
  calls$: Observable<string>;
} {
  const calls$ = new Subject<string>();
  let made = 0;
  return {
    connect: () => {
      const attempt = attempts[made];
      made += 1;
      calls$.next(String(made));
      if (!attempt) throw new Error(`unexpected attempt ${made}`);
      return attempt;
    },
    calls$,
  };
}

describe('reconnect with exponential backoff', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  describe('backoffDelay', () => {
    it('doubles from initialDelay up to maxDelay', () => {
      const options = { initialDelay: 100, maxDelay: 1000 };
      expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options))).toEqual([
        100, 200, 400, 800, 1000, 1000,
      ]);
    });
  });

  describe('reconnecting', () => {
    it('retries refused connects and a reset, waiting longer each time in a row', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const first = cold<never>('--#', undefined, refused);
        const second = cold<never>('--#', undefined, refused);
        const third = cold('-(c|)');
        const fourth = cold('-(c|)');
        const { connect, calls$ } = factory([
          first,
          second,
          // Connects, delivers a line, then the server resets the connection.
          marbleConnection(helpers, third, {
            incoming: 'h--#',
            values: { h: 'hello\n' },
            error: reset,
          }),
          // Connects, delivers a line, then the server ends the connection.
          marbleConnection(helpers, fourth, { incoming: 'w-|', values: { w: 'world\n' } }),
        ]);
        const lines$ = reconnecting(connect, readLines, { initialDelay: 10, maxDelay: 40 });

        // Refused at 2: wait 10. Refused at 14: wait 20. Connected at 35, with a line: the count
        // starts again, so the reset at 38 waits 10. Connected at 49; the server's EOF at 51
        // ends the session, the connection is closed, and so is the output.
        expectObservable(calls$).toBe('1 11ms 2 21ms 3 13ms 4');
        expectObservable(lines$).toBe('35ms h 13ms w 1ms |', { h: 'hello', w: 'world' });
        expectSubscriptions(first.subscriptions).toBe('^-!');
        expectSubscriptions(second.subscriptions).toBe('12ms ^-!');
        expectSubscriptions(third.subscriptions).toBe('34ms ^!');
        expectSubscriptions(fourth.subscriptions).toBe('48ms ^!');
      });
    });

    it('caps the wait at maxDelay and gives up after maxRetries with the last error', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const attempts = [0, 1, 2, 3].map(() => cold<never>('--#', undefined, refused));
        const { connect } = factory(attempts);
        const lines$ = reconnecting(connect, readLines, {
          initialDelay: 10,
          maxDelay: 15,
          maxRetries: 3,
        });

        // Waits of 10, then 15 (not 20), then 15: the fourth refusal is the end.
        expectObservable(lines$).toBe('48ms #', undefined, refused);
        expectSubscriptions(attempts[0]!.subscriptions).toBe('^-!');
        expectSubscriptions(attempts[1]!.subscriptions).toBe('12ms ^-!');
        expectSubscriptions(attempts[2]!.subscriptions).toBe('29ms ^-!');
        expectSubscriptions(attempts[3]!.subscriptions).toBe('46ms ^-!');
      });
    });

    it('does not retry an error of the protocol, such as a line too long', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const connected = cold('(c|)');
        const transports: SocketTransport[] = [];
        const { connect } = factory([
          marbleConnection(helpers, connected, { incoming: 'a-b-' }, transports),
        ]);
        const session = (transport: SocketTransport) =>
          transport.data$.pipe(lines({ maxLength: 1 }));
        const lines$ = reconnecting(connect, session, { initialDelay: 10, maxDelay: 40 });

        // 'ab' has no end and is longer than 1 byte: an error of the protocol, not of the
        // network. The output errors with it, and the connection is closed.
        expectObservable(lines$).toBe(
          '--#',
          undefined,
          expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }),
        );
        expectSubscriptions(connected.subscriptions).toBe('(^!)');
        testScheduler.schedule(() => {
          expect(transports.map((transport) => transport.isClosing())).toEqual([true]);
        }, 3);
      });
    });

    it('cancels a pending wait when unsubscribed', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const connected = cold('(c|)');
        const { connect, calls$ } = factory([
          cold<never>('--#', undefined, refused),
          marbleConnection(helpers, connected, { incoming: 'a-#', error: reset }),
          cold<never>('--#', undefined, refused),
        ]);
        const lines$ = reconnecting(connect, readLines, { initialDelay: 10, maxDelay: 40 });

        // Connected at 12 and reset at 14 (no line came: the next wait is 20); given up at 20,
        // inside that wait: no third attempt.
        expectObservable(calls$).toBe('1 11ms 2');
        expectObservable(lines$, '^ 19ms !').toBe('-');
        expectSubscriptions(connected.subscriptions).toBe('12ms (^!)');
      });
    });

    it('closes the current connection when unsubscribed while connected', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const connected = cold('-(c|)');
        const transports: SocketTransport[] = [];
        const { connect } = factory([
          marbleConnection(helpers, connected, { incoming: 'a-b----' }, transports),
        ]);
        const session = (transport: SocketTransport) => transport.data$;
        const chunks$ = reconnecting(connect, session, { initialDelay: 10, maxDelay: 40 });

        expectObservable(chunks$, '^----!').toBe('-a-b-', {
          a: new TextEncoder().encode('a'),
          b: new TextEncoder().encode('b'),
        });
        expectSubscriptions(connected.subscriptions).toBe('^!');
        // The transport starts closing at 5, on the unsubscribe.
        testScheduler.schedule(() => {
          expect(transports.map((transport) => transport.isClosing())).toEqual([false]);
        }, 4);
        testScheduler.schedule(() => {
          expect(transports.map((transport) => transport.isClosing())).toEqual([true]);
        }, 5);
      });
    });
  });
});
