/**
 * Write backpressure drawn end to end (examples/pipelines/pacedProducer.ts): the peer's reads
 * are a marble (`peer.reads`), so a slow peer fills the bytes between us and it (`buffer`),
 * then our write buffer, and `writable$` goes false; the producer stops until it is true again.
 *
 * - `reads`: the frames at which the peer reads (a letter: all there is);
 * - `writable$`: `t`/`f` as the write buffer crosses its water marks;
 * - `written$`: what reached the peer, read by read.
 */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { marbleTransport } from '../src/testing/index';
import { proxy, writeWhileWritable } from '../examples/pipelines/pacedProducer';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('write backpressure against a slow peer', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  describe('writeWhileWritable', () => {
    it('stops writing while the peer is slow, and goes on when it has caught up', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        // Four bytes fit between us and the peer, which reads all there is every 3 frames.
        const conn = marbleTransport(helpers, {
          incoming: '-',
          peer: { reads: '--r--r--r--r', buffer: 4 },
        });
        conn.setWriteBufferLimits(8, 4);
        const pulled: string[] = [];
        function* chunks(): Generator<Uint8Array> {
          for (const letter of ['a', 'b', 'c', 'd']) {
            pulled.push(`${letter}@${testScheduler.now()}`);
            yield encode(letter.repeat(4));
          }
        }
        // a, b, c at 0: 12 bytes are past the high mark, so d waits. The peer takes a at 2 and
        // b at 5, which empties our buffer (c is on its side): d goes, and the producer is done.
        expectObservable(writeWhileWritable(conn, chunks())).toBe('(abc)(d|)', {
          a: 4,
          b: 8,
          c: 12,
          d: 16,
        });
        // The producer subscribed first: by the time this line does, c has made it false.
        expectObservable(conn.writable$).toBe('f----t', { t: true, f: false });
        expectObservable(conn.written$.pipe(map(decode))).toBe('--a--b--c--d', {
          a: 'aaaa',
          b: 'bbbb',
          c: 'cccc',
          d: 'dddd',
        });
        testScheduler.schedule(() => {
          expect(pulled).toEqual(['a@0', 'b@0', 'c@0', 'd@5']);
        }, 20);
      });
    });

    it('errors when the connection is lost before every chunk is written', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const conn = marbleTransport(helpers, {
          incoming: '----#',
          peer: { reads: '-', buffer: 1 },
        });
        conn.setWriteBufferLimits(2, 0);
        const chunks = ['xx', 'yy', 'zz'].map(encode);
        expectObservable(writeWhileWritable(conn, chunks).pipe(map(String))).toBe(
          '(ab)#',
          { a: '2', b: '4' },
          expect.objectContaining({ name: 'TransportClosedError' }),
        );
      });
    });
  });

  describe('proxy (two pipelines)', () => {
    it('pauses reading the fast side while the slow side has not read, end to end', () => {
      testScheduler.run((helpers) => {
        const { expectObservable } = helpers;
        const flow: string[] = [];
        // The client sends 4 bytes a frame; the upstream's peer reads 4 bytes every 4 frames.
        const client = marbleTransport(helpers, {
          incoming: 'abcdef|',
          values: { a: 'aaaa', b: 'bbbb', c: 'cccc', d: 'dddd', e: 'eeee', f: 'ffff' },
        });
        const upstream = marbleTransport(helpers, {
          incoming: '-',
          peer: { reads: '---r---r---r---r---r---r---r---r', values: { r: 4 }, buffer: 4 },
        });
        const pause = client.pauseReading.bind(client);
        const resume = client.resumeReading.bind(client);
        client.pauseReading = () => {
          flow.push(`p${testScheduler.now()}`);
          pause();
        };
        client.resumeReading = () => {
          flow.push(`r${testScheduler.now()}`);
          resume();
        };
        upstream.setWriteBufferLimits(4, 0);
        proxy(client, upstream).subscribe();
        // c takes the upstream past its high mark at 2: the client is paused, and d, e, f wait
        // on its side. The upstream's peer takes a at 3 and b at 7, which empties the upstream
        // buffer (c is on the peer's side now): the client resumes, d and e come at once, and e
        // pauses it again; at 15 the upstream is empty again and f and the EOF come through.
        expectObservable(client.data$.pipe(map(decode))).toBe('abc----(de)----(f|)', {
          a: 'aaaa',
          b: 'bbbb',
          c: 'cccc',
          d: 'dddd',
          e: 'eeee',
          f: 'ffff',
        });
        expectObservable(upstream.writable$).toBe('t-f----(tf)----t', { t: true, f: false });
        expectObservable(upstream.written$.pipe(map((bytes) => decode(bytes)[0]))).toBe(
          '---a---b---c---d---e---f',
        );
        testScheduler.schedule(() => {
          expect(flow).toEqual(['r0', 'p2', 'r7', 'p7', 'r15']);
        }, 30);
      });
    });
  });
});
