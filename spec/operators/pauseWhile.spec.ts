import { BehaviorSubject, map, Subject, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ReadTransport } from '../../src/core/transports';
import { pauseWhile } from '../../src/operators/pauseWhile';
import { marbleTransport } from '../../src/testing/marbleTransport';
import { useExceptionReports } from '../helpers/exceptions';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A transport stand-in that records its pause and resume calls. */
function recordingTransport(): ReadTransport & { calls: string[] } {
  const calls: string[] = [];
  let paused = false;
  const transport = {
    calls,
    isReading: () => !paused,
    pauseReading: () => {
      calls.push('pause');
      paused = true;
    },
    resumeReading: () => {
      calls.push('resume');
      paused = false;
    },
  };
  return transport as unknown as ReadTransport & { calls: string[] };
}

describe('pauseWhile', () => {
  const reports = useExceptionReports();
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('holds chunks back in virtual time while paused$ is true', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable, expectSubscriptions } = helpers;
      const transport = marbleTransport(helpers, { incoming: 'a-b-c-d----e|' });
      const paused$ = cold('-t----f', { t: true, f: false });
      pauseWhile(transport, paused$);
      // Paused from frame 1 to 6: b, c and d wait, then arrive together at 6.
      expectObservable(transport.data$.pipe(map(decode))).toBe('a-----(bcd)e|');
      expectSubscriptions(paused$.subscriptions).toBe('^');
    });
  });

  it('resumes reading on unsubscribe when it had paused it', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable, expectSubscriptions } = helpers;
      const transport = marbleTransport(helpers, { incoming: 'a-b-c-----|' });
      const paused$ = cold('-t', { t: true });
      const subscription = pauseWhile(transport, paused$);
      helpers.cold('----x').subscribe(() => {
        subscription.unsubscribe();
      });
      expectObservable(transport.data$.pipe(map(decode))).toBe('a---(bc)--|');
      expectSubscriptions(paused$.subscriptions).toBe('^---!');
    });
  });

  it('maps true to pauseReading and false to resumeReading, ignoring repeats', () => {
    const transport = recordingTransport();
    const paused$ = new Subject<boolean>();
    const subscription = pauseWhile(transport, paused$);
    for (const value of [true, true, false, false, true, false]) paused$.next(value);
    expect(transport.calls).toEqual(['pause', 'resume', 'pause', 'resume']);
    subscription.unsubscribe();
    expect(transport.calls).toEqual(['pause', 'resume', 'pause', 'resume']);
  });

  it('does not resume a pause it did not make', () => {
    const transport = recordingTransport();
    transport.pauseReading();
    const subscription = pauseWhile(transport, new BehaviorSubject(false));
    subscription.unsubscribe();
    expect(transport.calls).toEqual(['pause']);
    expect(transport.isReading()).toBe(false);
  });

  it('keeps the state paused$ left when it completes, until unsubscribed', () => {
    const transport = recordingTransport();
    const paused$ = new Subject<boolean>();
    const subscription = pauseWhile(transport, paused$);
    paused$.next(true);
    paused$.complete();
    expect(transport.isReading()).toBe(false);
    expect(subscription.closed).toBe(false);
    subscription.unsubscribe();
    expect(transport.isReading()).toBe(true);
    expect(transport.calls).toEqual(['pause', 'resume']);
  });

  it('resumes and reports to the exception handler when paused$ errors', () => {
    const transport = recordingTransport();
    const paused$ = new Subject<boolean>();
    pauseWhile(transport, paused$);
    paused$.next(true);
    const boom = new Error('boom');
    paused$.error(boom);
    expect(transport.calls).toEqual(['pause', 'resume']);
    expect(reports.take()).toEqual([expect.objectContaining({ exception: boom, transport })]);
  });

  it('refuses a transport without pauseReading and a paused$ that is not an Observable', () => {
    const paused$ = new Subject<boolean>();
    expect(() => pauseWhile({} as ReadTransport, paused$)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() =>
      pauseWhile(recordingTransport(), [true] as unknown as Observable<boolean>),
    ).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
  });
});
