import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionResetError } from '../src/core/osErrors';
import { marbleTransport } from '../src/testing/marbleTransport';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('an upper-casing echo pipeline', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('echoes each chunk upper-cased, then half-closes when the peer does', () => {
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const peer = marbleTransport(helpers, {
        incoming: '-a--b-|',
        values: { a: 'hi\n', b: 'yo\n' },
      });
      peer.data$.pipe(map((chunk) => encode(decode(chunk).toUpperCase()))).subscribe(peer.sink);
      expectObservable(peer.written$).toBe('-x--y-|', { x: encode('HI\n'), y: encode('YO\n') });
    });
  });

  it('holds incoming chunks while reading is paused and delivers them on resume', () => {
    testScheduler.run((helpers) => {
      const { expectObservable, cold } = helpers;
      const peer = marbleTransport(helpers, { incoming: 'a-b-c-----d-|' });
      peer.data$.pipe(map((chunk) => encode(decode(chunk).toUpperCase()))).subscribe(peer.sink);
      // Pause at frame 1, resume at frame 5: b and c wait, then arrive together at 5, and
      // their echoes, written on one frame, leave together as one chunk.
      const control = cold('-p---r', { p: 'pause', r: 'resume' });
      control.subscribe((command) => {
        if (command === 'pause') peer.pauseReading();
        else peer.resumeReading();
      });
      expectObservable(peer.written$).toBe('a----b----d-|', {
        a: encode('A'),
        b: encode('BC'),
        d: encode('D'),
      });
      helpers.expectSubscriptions(control.subscriptions).toBe('^');
    });
  });

  it('errors data$ when the peer resets, and the transport reports the loss', () => {
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      // An OS error, as a real reset is: the loss, not a bug to report.
      const reset = new ConnectionResetError('ECONNRESET', 'reset by peer');
      const peer = marbleTransport(helpers, { incoming: '-a-#', values: { a: 'x' }, error: reset });
      expectObservable(peer.data$).toBe('-a-#', { a: encode('x') }, reset);
      expectObservable(peer.closed$).toBe('---(e|)', { e: reset });
    });
  });
});
