import { take, tap, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { HotQueue, type HotQueueOptions } from '../../src/core/HotQueue';

/**
 * HotQueue in virtual time. A hot marble is the producer: its values are pushed, its `|` and
 * `#` complete and error the queue. Subscribers are the queue's own Observable with subscription
 * marbles (`^` subscribes, `!` unsubscribes).
 */
describe('HotQueue', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  /** Pushes what `producer$` emits, from frame 0; returns the producer's subscription. */
  function feed<T>(queue: HotQueue<T>, producer$: Observable<T>) {
    return producer$.subscribe({
      next: (item) => {
        queue.push(item);
      },
      complete: () => {
        queue.complete();
      },
      error: (error: unknown) => {
        queue.error(error);
      },
    });
  }

  const unbounded = <T>(options: Partial<HotQueueOptions<T>> = {}): HotQueue<T> =>
    new HotQueue<T>({ capacity: Number.POSITIVE_INFINITY, ...options });

  describe('holding and handing over', () => {
    it('holds what is pushed before the first subscriber and hands it over on subscribe', () => {
      testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
        const producer = hot('-a-b-------c-');
        const queue = unbounded<string>();
        feed(queue, producer);
        expectObservable(queue.observable, '------^------').toBe('------(ab)-c-');
        expectSubscriptions(producer.subscriptions).toBe('^------------');
      });
    });

    it('hands held items to the next subscriber only: no replay to later ones', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a-b---------c-');
        const queue = unbounded<string>();
        feed(queue, producer);
        expectObservable(queue.observable, '-----^---------').toBe('-----(ab)----c-');
        expectObservable(queue.observable, '---------^-----').toBe('-------------c-');
      });
    });

    it('multicasts what is pushed while subscribed to every subscriber, once', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a--b--c-');
        const queue = unbounded<string>();
        feed(queue, producer);
        expectObservable(queue.observable, '^--------').toBe('-a--b--c-');
        expectObservable(queue.observable, '--^------').toBe('----b--c-');
      });
    });

    it('holds again for the next subscriber once the last one unsubscribed', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a--b--c--------');
        const queue = unbounded<string>();
        feed(queue, producer);
        // The unsubscription at frame 4 comes before b, which is held with c for the next one.
        expectObservable(queue.observable, '^---!-----------').toBe('-a--------------');
        expectObservable(queue.observable, '---------^------').toBe('---------(bc)---');
      });
    });

    it('tells whether anyone is subscribed and how many items it holds', () => {
      const queue = unbounded<string>();
      expect(queue.observed).toBe(false);
      queue.push('a');
      queue.push('b');
      expect(queue.heldCount).toBe(2);
      const got: string[] = [];
      const subscription = queue.observable.subscribe((item) => got.push(item));
      expect(queue.observed).toBe(true);
      expect(queue.heldCount).toBe(0);
      expect(got).toEqual(['a', 'b']);
      subscription.unsubscribe();
      expect(queue.observed).toBe(false);
    });
  });

  describe('capacity', () => {
    /**
     * A producer that obeys the queue: it stops (unsubscribes) when held and starts again
     * (subscribes anew) when released, as a transport pauses and resumes reading.
     */
    function obedient<T>(producer$: Observable<T>, capacity: number, sizeOf?: (item: T) => number) {
      const calls: string[] = [];
      let subscription: { unsubscribe(): void } | null = null;
      const queue: HotQueue<T> = new HotQueue<T>({
        capacity,
        ...(sizeOf ? { sizeOf } : {}),
        holdProducer: () => {
          calls.push('full');
          subscription?.unsubscribe();
          subscription = null;
          return () => {
            calls.push('room');
            subscription = feed(queue, producer$);
          };
        },
      });
      subscription = feed(queue, producer$);
      return { queue, calls };
    }

    it('holds the producer when the held items reach the capacity, and releases it once they are delivered', () => {
      testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
        const producer = hot('-a-b-c-----d-e-');
        const { queue, calls } = obedient(producer, 2);
        // c is pushed while the producer is stopped: it never reaches the queue.
        expectObservable(queue.observable, '-------^-------').toBe('-------(ab)d-e-');
        expectSubscriptions(producer.subscriptions).toBe(['^--!-----------', '-------^-------']);
        testScheduler.flush();
        expect(calls).toEqual(['full', 'room']);
      });
    });

    it('measures the held items with sizeOf', () => {
      testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
        const producer = hot('-a-b-c------', { a: 'xx', b: 'yyy', c: 'z' });
        const { queue } = obedient(producer, 5, (item: string) => item.length);
        expectObservable(queue.observable, '-------^----').toBe('-------(ab)-', {
          a: 'xx',
          b: 'yyy',
        });
        expectSubscriptions(producer.subscriptions).toBe(['^--!--------', '-------^----']);
      });
    });

    it('holds the producer once per fill, however much more is pushed', () => {
      const calls: string[] = [];
      const queue = new HotQueue<string>({
        capacity: 2,
        holdProducer: () => {
          calls.push('full');
          return () => calls.push('room');
        },
      });
      for (const item of ['a', 'b', 'c', 'd']) queue.push(item);
      expect(calls).toEqual(['full']);
      const got: string[] = [];
      queue.observable.subscribe((item) => got.push(item));
      expect(got).toEqual(['a', 'b', 'c', 'd']);
      expect(calls).toEqual(['full', 'room']);
      queue.push('e');
      queue.push('f');
      expect(calls).toEqual(['full', 'room']);
    });

    it('does not release the producer before everything held was delivered', () => {
      const calls: string[] = [];
      const queue = new HotQueue<string>({
        capacity: 2,
        holdProducer: () => {
          calls.push('full');
          return () => calls.push('room');
        },
      });
      for (const item of ['a', 'b', 'c']) queue.push(item);
      const first: string[] = [];
      queue.observable.pipe(take(1)).subscribe((item) => first.push(item));
      expect(first).toEqual(['a']);
      expect(queue.heldCount).toBe(2);
      expect(calls).toEqual(['full']);
      const second: string[] = [];
      queue.observable.subscribe((item) => second.push(item));
      expect(second).toEqual(['b', 'c']);
      expect(calls).toEqual(['full', 'room']);
    });

    it('sends on what the producer pushes when released, after what was held', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a-b-----');
        const queue: HotQueue<string> = new HotQueue<string>({
          capacity: 2,
          holdProducer: () => () => {
            queue.push('z');
          },
        });
        feed(queue, producer);
        expectObservable(queue.observable, '-----^---').toBe('-----(abz)');
      });
    });
  });

  describe('re-entrant push', () => {
    it('keeps the order when a subscriber pushes while held items are delivered', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a-b-------');
        const queue = unbounded<string>();
        feed(queue, producer);
        const pushingX = queue.observable.pipe(
          tap((item) => {
            if (item === 'a') queue.push('x');
          }),
        );
        expectObservable(pushingX, '-----^-----').toBe('-----(abx)-');
      });
    });

    it('keeps the order for every subscriber when one pushes during a direct delivery', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('---a----b-');
        const queue = unbounded<string>();
        feed(queue, producer);
        const pushingX = queue.observable.pipe(
          tap((item) => {
            if (item === 'a') queue.push('x');
          }),
        );
        expectObservable(pushingX, '^---------').toBe('---(ax)-b-');
        expectObservable(queue.observable, '^---------').toBe('---(ax)-b-');
      });
    });
  });

  describe('ending', () => {
    it('completes after the held items, once a subscriber comes', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a-b-|------');
        const queue = unbounded<string>();
        feed(queue, producer);
        expectObservable(queue.observable, '-------^----').toBe('-------(ab|)');
      });
    });

    it('errors after the held items, once a subscriber comes', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const boom = new Error('boom');
        const producer = hot('-a-b-#------', undefined, boom);
        const queue = unbounded<string>();
        feed(queue, producer);
        expectObservable(queue.observable, '-------^----').toBe('-------(ab#)', undefined, boom);
      });
    });

    it('completes every current subscriber, and later ones at once', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a--|----');
        const queue = unbounded<string>();
        feed(queue, producer);
        expectObservable(queue.observable, '^--------').toBe('-a--|----');
        expectObservable(queue.observable, '--^------').toBe('----|----');
        expectObservable(queue.observable, '------^--').toBe('------|--');
      });
    });

    it('ignores pushes and a second ending once ended', () => {
      const queue = unbounded<string>();
      queue.push('a');
      queue.complete();
      expect(queue.ended).toBe(true);
      queue.push('b');
      queue.error(new Error('late'));
      const events: string[] = [];
      queue.observable.subscribe({
        next: (item) => events.push(item),
        complete: () => events.push('|'),
        error: () => events.push('#'),
      });
      expect(events).toEqual(['a', '|']);
    });

    it('is not ended before complete() or error()', () => {
      const queue = unbounded<string>();
      queue.push('a');
      expect(queue.ended).toBe(false);
      queue.error(new Error('boom'));
      expect(queue.ended).toBe(true);
    });
  });

  describe('unsubscribing', () => {
    it('keeps what was not delivered when the subscriber leaves mid-delivery', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a-b-c--------');
        const queue = unbounded<string>();
        feed(queue, producer);
        expectObservable(queue.observable.pipe(take(1)), '-------^------').toBe('-------(a|)---');
        expectObservable(queue.observable, '-----------^--').toBe('-----------(bc)');
      });
    });

    it('stops delivering to a subscriber that leaves, while the others get every item', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const producer = hot('-a-b-c-');
        const queue = unbounded<string>();
        feed(queue, producer);
        expectObservable(queue.observable, '^---!--').toBe('-a-b---');
        expectObservable(queue.observable, '^------').toBe('-a-b-c-');
      });
    });

    it('does not deliver to a subscriber that another one unsubscribed during the delivery', () => {
      const queue = unbounded<string>();
      const second: string[] = [];
      let secondSubscription: { unsubscribe(): void } | null = null;
      queue.observable.subscribe((item) => {
        if (item === 'b') secondSubscription?.unsubscribe();
      });
      secondSubscription = queue.observable.subscribe((item) => second.push(item));
      queue.push('a');
      queue.push('b');
      queue.push('c');
      expect(second).toEqual(['a']);
    });
  });
});
