import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { lengthPrefixed } from '../src/operators/index';
import { marbleWebSocket } from '../src/testing/index';
import { WebSocketCloseError } from '../src/websocket/index';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('WebSocket protocols in marbles', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('answers each text message, one message per answer, and closes when the peer does', () => {
    testScheduler.run((helpers) => {
      const ws = marbleWebSocket(helpers, { incoming: '-a-b-|', values: { a: 'hi', b: 'yo' } });
      ws.messages$.subscribe((message) => {
        ws.sendText(String(message).toUpperCase());
      });
      helpers.expectObservable(ws.written$).toBe('-A-B-|', { A: 'HI', B: 'YO' });
      helpers.expectObservable(ws.closed$).toBe('-----(n|)', { n: null });
      helpers.expectObservable(ws.closeSent$).toBe('-----(c|)', { c: { code: 1000, reason: '' } });
    });
  });

  it('keeps binary and text apart, and sends each write as its own message', () => {
    testScheduler.run((helpers) => {
      const ws = marbleWebSocket(helpers, {
        incoming: 'a---b',
        values: { a: bytes(1, 2), b: 't' },
      });
      ws.messages$.subscribe((message) => {
        if (typeof message === 'string') ws.sendText(message + '!');
        else {
          ws.write(message);
          ws.write(message);
        }
      });
      helpers.expectObservable(ws.written$).toBe('(xx)y', { x: bytes(1, 2), y: 't!' });
      helpers.expectObservable(ws.data$).toBe('a---b', {
        a: bytes(1, 2),
        b: new TextEncoder().encode('t'),
      });
    });
  });

  it('frames length-prefixed records split across messages', () => {
    testScheduler.run((helpers) => {
      const ws = marbleWebSocket(helpers, {
        incoming: 'a-b-c',
        values: { a: bytes(0, 0), b: bytes(0, 3, 7), c: bytes(8, 9, 0, 0, 0, 1, 5) },
      });
      const frames = ws.data$.pipe(lengthPrefixed({ headerBytes: 4 }));
      helpers.expectObservable(frames).toBe('----(xy)', { x: bytes(7, 8, 9), y: bytes(5) });
    });
  });

  it('ends with WebSocketCloseError for a 4001 Close, and for a dropped connection (#)', () => {
    testScheduler.run((helpers) => {
      const closedBy = marbleWebSocket(helpers, {
        incoming: '--|',
        closeCode: 4001,
        closeReason: 'bye',
      });
      helpers
        .expectObservable(closedBy.closed$.pipe(map((e) => (e as WebSocketCloseError).closeCode)))
        .toBe('--(c|)', { c: 4001 });
      const dropped = marbleWebSocket(helpers, { incoming: 'a-#' });
      helpers
        .expectObservable(dropped.closed$.pipe(map((e) => (e as WebSocketCloseError).closeCode)))
        .toBe('--(c|)', { c: 1006 });
    });
  });

  it('sends the Close code and reason given to close(), after the messages written before', () => {
    testScheduler.run((helpers) => {
      const ws = marbleWebSocket(helpers, { incoming: '-' });
      helpers.cold('--x').subscribe(() => {
        ws.sendText('last');
        ws.close(4000, 'done');
      });
      helpers.expectObservable(ws.written$).toBe('--(l|)', { l: 'last' });
      helpers.expectObservable(ws.closeSent$).toBe('--(c|)', { c: { code: 4000, reason: 'done' } });
    });
  });
});
