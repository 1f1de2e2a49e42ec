/**
 * marbleTransport with the peer's reads drawn: the write buffer, pauseWriting/resumeWriting,
 * writable$, drain()/flushed() and written$ in virtual time.
 */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Protocol } from '../../src/index';
import { marbleTransport } from '../../src/testing/index';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('marbleTransport with a drawn peer', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('moves written bytes at the frames of the peer reads, as many as each read takes', () => {
    scheduler.run((helpers) => {
      const conn = marbleTransport(helpers, {
        incoming: '-',
        peer: { reads: '--a--b--c', values: { a: 2, b: 3, c: 10 }, buffer: 100 },
      });
      conn.write(encode('abcdefgh'));
      helpers.expectObservable(conn.written$.pipe(map(decode))).toBe('--a--b--c', {
        a: 'ab',
        b: 'cde',
        c: 'fgh',
      });
    });
  });

  it('pauses writing while the peer is slow and resumes when it has caught up', () => {
    scheduler.run((helpers) => {
      const events: string[] = [];
      const protocol: Protocol = {
        pauseWriting: () => events.push(`${scheduler.now()} pause`),
        resumeWriting: () => events.push(`${scheduler.now()} resume`),
      };
      const conn = marbleTransport(helpers, {
        incoming: '-',
        protocol,
        // Two bytes fit between us and the peer; the peer reads all there is at 3, 7 and 11.
        peer: { reads: '---r---r---r', buffer: 2 },
      });
      conn.setWriteBufferLimits(4, 2);
      conn.write(encode('abcdef'));
      expect(conn.getWriteBufferSize()).toBe(6);
      // ab fits at once; cd goes in at 3 and ef at 7, which empties our buffer.
      helpers.expectObservable(conn.written$.pipe(map(decode))).toBe('---x---y---z', {
        x: 'ab',
        y: 'cd',
        z: 'ef',
      });
      helpers.expectObservable(conn.writable$).toBe('f------t', { f: false, t: true });
      scheduler.schedule(() => {
        expect(conn.getWriteBufferSize()).toBe(6);
      }, 6);
      scheduler.schedule(() => {
        expect(conn.getWriteBufferSize()).toBe(0);
        expect(events).toEqual(['0 pause', '7 resume']);
      }, 7);
    });
  });

  it('settles drain() and flushed() once the peer has taken the bytes, not before', async () => {
    const settled: string[] = [];
    scheduler.run((helpers) => {
      const conn = marbleTransport(helpers, {
        incoming: '-',
        peer: { reads: '-----r', buffer: 1 },
      });
      conn.setWriteBufferLimits(1, 0);
      conn.write(encode('xy'));
      void conn.drain().then(() => settled.push('drain'));
      void conn.flushed().then(() => settled.push('flushed'));
      const stuck = marbleTransport(helpers, { incoming: '-', peer: { reads: '-', buffer: 1 } });
      stuck.write(encode('xy'));
      void stuck.flushed().then(() => settled.push('stuck'));
    });
    await Promise.resolve();
    expect(settled).toEqual(['drain', 'flushed']);
  });

  it('completes written$ once EOF reached the peer, after the bytes before it', () => {
    scheduler.run((helpers) => {
      const conn = marbleTransport(helpers, {
        incoming: '-',
        peer: { reads: '--a--a', values: { a: 2 }, buffer: 8 },
      });
      conn.write(encode('abcd'));
      conn.writeEof();
      helpers.expectObservable(conn.written$.pipe(map(decode))).toBe('--x--(y|)', {
        x: 'ab',
        y: 'cd',
      });
    });
  });

  it('lets a clean close finish: the peer still reads what it was sent', () => {
    scheduler.run((helpers) => {
      const conn = marbleTransport(helpers, {
        incoming: '-',
        peer: { reads: '----a', buffer: 8 },
      });
      conn.write(encode('bye'));
      conn.close();
      helpers.expectObservable(conn.closed$).toBe('(n|)', { n: null });
      helpers.expectObservable(conn.written$.pipe(map(decode))).toBe('----(b|)', { b: 'bye' });
    });
  });

  it('drops what the peer did not read on abort', () => {
    scheduler.run((helpers) => {
      const conn = marbleTransport(helpers, {
        incoming: '-',
        peer: { reads: '----a', buffer: 8 },
      });
      conn.write(encode('bye'));
      helpers.cold('--x').subscribe(() => {
        conn.abort();
      });
      helpers.expectObservable(conn.written$).toBe('--|');
    });
  });

  it('takes a reset drawn in the peer reads as the end of the connection', () => {
    scheduler.run((helpers) => {
      const conn = marbleTransport(helpers, {
        incoming: '-a------',
        peer: { reads: '---#', buffer: 8 },
      });
      conn.write(encode('lost'));
      helpers.expectObservable(conn.data$.pipe(map(decode))).toBe('-a-#', undefined, reset());
      helpers.expectObservable(conn.closed$).toBe('---(e|)', { e: reset() });
    });
  });

  it('keeps the old behaviour without a peer: every write at once, on its frame', () => {
    scheduler.run((helpers) => {
      const conn = marbleTransport(helpers, { incoming: '-' });
      conn.setWriteBufferLimits(1, 0);
      helpers.cold('-a-b').subscribe((letter) => {
        conn.write(encode(letter.repeat(3)));
      });
      helpers.expectObservable(conn.written$.pipe(map(decode))).toBe('-a-b', {
        a: 'aaa',
        b: 'bbb',
      });
      helpers.expectObservable(conn.writable$).toBe('t', { t: true });
    });
  });
});

/** What `#` stands for by default: matched by name and code. */
function reset(): unknown {
  return expect.objectContaining({ name: 'ConnectionResetError', code: 'ECONNRESET' });
}
