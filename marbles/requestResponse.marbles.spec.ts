/**
 * Length-prefixed request/response with correlation ids and per-request timeouts
 * (examples/pipelines/requestResponse.ts), in virtual time.
 *
 * On the wire a frame is a 2-byte big-endian length, then a 4-byte big-endian id, then the body.
 * The diagrams show frames as `id:body`: `frame('1:one')` builds the bytes by hand, so that the
 * tests also pin the wire format.
 */
import { catchError, lastValueFrom, map, mergeMap, of, tap, timer, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionResetError, type SocketTransport } from '../src/index';
import { marbleTransport, transportPair } from '../src/testing/index';
import { requestClient, serveRequests } from '../examples/pipelines/requestResponse';

/** `'7:hi'` as a frame: length (2 bytes), id (4 bytes), body. */
function frame(message: string): Uint8Array {
  const colon = message.indexOf(':');
  const id = Number(message.slice(0, colon));
  const body = new TextEncoder().encode(message.slice(colon + 1));
  const length = 4 + body.byteLength;
  return new Uint8Array([
    length >> 8,
    length & 0xff,
    (id >>> 24) & 0xff,
    (id >>> 16) & 0xff,
    (id >>> 8) & 0xff,
    id & 0xff,
    ...body,
  ]);
}

/** A written frame back to `'id:body'`; the header must give the payload's length. */
function unframe(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getUint16(0)).toBe(bytes.byteLength - 2);
  return `${view.getUint32(2)}:${new TextDecoder().decode(bytes.subarray(6))}`;
}

/** `bytes` cut in two at `at`: a frame that arrives in two chunks. */
const split = (bytes: Uint8Array, at: number): [Uint8Array, Uint8Array] => [
  bytes.subarray(0, at),
  bytes.subarray(at),
];

describe('length-prefixed request/response with correlation ids', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  describe('requestClient', () => {
    it('matches out-of-order responses by id, and times out the one that never comes', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const [oneHead, oneTail] = split(frame('1:ONE'), 3); // response 1 arrives in two chunks
        const server = marbleTransport(helpers, {
          incoming: '-----b-x-y-----------c---',
          values: { b: frame('2:TWO'), x: oneHead, y: oneTail, c: frame('3:late') },
        });
        const client = requestClient(server, { timeout: 10 });
        const requests = cold('-a-b-c', { a: 'one', b: 'two', c: 'three' });
        const results = requests.pipe(
          mergeMap((body) =>
            client.request(body).pipe(
              map((reply) => `${body}=${reply}`),
              catchError((error: unknown) => of(`${body} ${(error as Error).name}`)),
            ),
          ),
        );

        // Each request goes out as one frame, with the next id.
        expectObservable(server.written$.pipe(map(unframe))).toBe('-1-2-3', {
          1: '1:one',
          2: '2:two',
          3: '3:three',
        });
        // Response 2 overtakes response 1, which is whole only at frame 9. Request 3, sent at
        // frame 5, times out at 5 + 10 = 15; its response at frame 21 is dropped.
        expectObservable(results).toBe('-----t---o-----x---------', {
          t: 'two=TWO',
          o: 'one=ONE',
          x: 'three TimeoutError',
        });
        expectSubscriptions(requests.subscriptions).toBe('^');
      });
    });

    it('errors the requests in flight with the error that lost the connection', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const reset = new ConnectionResetError('ECONNRESET', 'read ECONNRESET');
        const server = marbleTransport(helpers, {
          incoming: '---r-#',
          values: { r: frame('1:ONE') },
          error: reset,
        });
        const client = requestClient(server, { timeout: 10 });
        const requests = cold('-a-b|', { a: 'one', b: 'two' });
        const results = requests.pipe(mergeMap((body) => client.request(body)));
        expectObservable(results).toBe('---r-#', { r: 'ONE' }, reset);
        expectSubscriptions(requests.subscriptions).toBe('^---!');
      });
    });

    it('sends EOF once the last request has gone out, and still gets the responses', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const server = marbleTransport(helpers, {
          incoming: '--x--y|',
          values: { x: frame('1:PING'), y: frame('2:PONG') },
        });
        const client = requestClient(server, { timeout: 10 });
        const requests = cold('-a-b|', { a: 'ping', b: 'pong' });
        const results = requests.pipe(
          tap({
            complete: () => {
              client.end();
            },
          }),
          mergeMap((body) => client.request(body)),
        );
        expectObservable(results).toBe('--x--(y|)', { x: 'PING', y: 'PONG' });
        expectObservable(server.written$.pipe(map(unframe))).toBe('-a-b|', {
          a: '1:ping',
          b: '2:pong',
        });
        // EOF has gone both ways: the connection closes.
        expectObservable(server.closed$).toBe('------(n|)', { n: null });
        expectSubscriptions(requests.subscriptions).toBe('^---!');
      });
    });
  });

  describe('serveRequests', () => {
    it('answers each request when it is ready, so a quick one overtakes a slow one', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const [slowHead, slowTail] = split(frame('1:slow'), 5); // a header cut in the middle
        const conn = marbleTransport(helpers, {
          incoming: '-ab-q-----|',
          values: { a: slowHead, b: slowTail, q: frame('2:quick') },
        });
        const work = {
          slow: cold('------(s|)', { s: 'slept' }),
          quick: cold('-(q|)', { q: 'done' }),
        };
        serveRequests(conn, (body) => work[body as keyof typeof work]);
        // Request 1 is whole at frame 2 and done at 8; request 2 comes at 4 and is done at 5.
        // The client's EOF (frame 10) is answered with the server's.
        expectObservable(conn.written$.pipe(map(unframe))).toBe('-----q--s-|', {
          q: '2:done',
          s: '1:slept',
        });
        expectSubscriptions(work.slow.subscriptions).toBe('--^-----!');
        expectSubscriptions(work.quick.subscriptions).toBe('----^!');
      });
    });

    it('waits for the requests in progress before answering EOF with its own', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const conn = marbleTransport(helpers, {
          incoming: '-r|',
          values: { r: frame('9:sum') },
        });
        const work = cold('----(w|)', { w: '42' });
        serveRequests(conn, () => work);
        expectObservable(conn.written$.pipe(map(unframe))).toBe('-----(w|)', { w: '9:42' });
        expectObservable(conn.closed$).toBe('-----(n|)', { n: null });
        expectSubscriptions(work.subscriptions).toBe('-^---!');
      });
    });

    it('answers a failed request with an ERR body and goes on', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const conn = marbleTransport(helpers, {
          incoming: '-ab-',
          values: { a: frame('1:bad'), b: frame('2:good') },
        });
        const work = {
          bad: cold('--#', undefined, new Error('no such thing')),
          good: cold('--(g|)', { g: 'fine' }),
        };
        serveRequests(conn, (body) => work[body as keyof typeof work]);
        expectObservable(conn.written$.pipe(map(unframe))).toBe('---eg', {
          e: '1:ERR Error: no such thing',
          g: '2:fine',
        });
        expectSubscriptions(work.bad.subscriptions).toBe('-^-!');
        expectSubscriptions(work.good.subscriptions).toBe('--^-!');
      });
    });
  });

  it('pairs the client with the server over transportPair', async () => {
    const [clientEnd, serverEnd]: [SocketTransport, SocketTransport] = transportPair();
    // The server answers a slow request 30 ms late: the quick ones overtake it.
    serveRequests(serverEnd, (body) =>
      timer(body === 'slow' ? 30 : 0).pipe(map(() => body.toUpperCase())),
    );
    const client = requestClient(clientEnd, { timeout: 1000 });
    const arrived: string[] = [];
    const replies = await lastValueFrom(
      of('slow', 'quick', 'fine').pipe(
        mergeMap((body) => client.request(body)),
        map((reply) => {
          arrived.push(reply);
          return reply;
        }),
        toArray(),
      ),
    );
    expect(replies.sort()).toEqual(['FINE', 'QUICK', 'SLOW']);
    expect(arrived[2]).toBe('SLOW');
    client.end();
    expect(await lastValueFrom(serverEnd.closed$)).toBeNull();
    expect(await lastValueFrom(clientEnd.closed$)).toBeNull();
  });
});
