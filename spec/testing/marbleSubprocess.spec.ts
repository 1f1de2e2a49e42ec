/** marbleSubprocess: the real ProcessTransport over marble handles. */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { SubprocessProtocol } from '../../src/index';
import { marbleSubprocess } from '../../src/testing/index';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('marbleSubprocess', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('plays stdout and stderr on output$, and the exit on exit$ and getReturncode()', () => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, {
        stdout: '-a--b|',
        stderr: '--e|',
        exit: '------3',
        values: { a: 'one\n', b: 'two\n', e: 'oops\n' },
      });
      helpers
        .expectObservable(child.output$.pipe(map(({ fd, data }) => `${fd}:${decode(data)}`)))
        .toBe('-ae-b|', { a: '1:one\n', e: '2:oops\n', b: '1:two\n' });
      helpers.expectObservable(child.exit$).toBe('------(c|)', { c: 3 });
      helpers.expectObservable(child.closed$).toBe('------(n|)', { n: null });
      helpers.cold('-----x-y').subscribe((at) => {
        expect(child.getReturncode()).toBe(at === 'x' ? null : 3);
      });
    });
  });

  it('records what the child was sent on stdinWritten$, and its stdin closing', () => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, { stdout: '-', exit: '-' });
      helpers.cold('-a-b-|').subscribe({
        next: (line) => {
          child.sink.next(encode(`${line}\n`));
        },
        complete: () => {
          child.sink.complete();
        },
      });
      helpers
        .expectObservable(child.stdinWritten$.pipe(map(decode)))
        .toBe('-a-b-|', { a: 'a\n', b: 'b\n' });
    });
  });

  it('calls the SubprocessProtocol in asyncio order: made, pipe data, exited and lost', () => {
    scheduler.run((helpers) => {
      const events: string[] = [];
      const at = (event: string): void => {
        events.push(`${scheduler.now()} ${event}`);
      };
      const protocol: SubprocessProtocol = {
        connectionMade: () => {
          at('made');
        },
        pipeDataReceived: (fd, data) => {
          at(`data ${fd} ${decode(data)}`);
        },
        pipeConnectionLost: (fd, exc) => {
          at(`pipe lost ${fd} ${String(exc)}`);
        },
        processExited: () => {
          at('exited');
        },
        connectionLost: (exc) => {
          at(`lost ${String(exc)}`);
        },
      };
      marbleSubprocess(helpers, { stdout: '-a-|', exit: '-----0', protocol });
      helpers.cold('--------x').subscribe(() => {
        expect(events).toEqual([
          '0 made',
          '1 data 1 a',
          '3 pipe lost 1 null',
          '5 pipe lost 0 null',
          '5 exited',
          '5 lost null',
        ]);
      });
    });
  });

  it('is not piped where no marble is given', () => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, { stdout: '-', exit: '-' });
      expect(child.getPipeTransport(1)).not.toBeNull();
      expect(child.getPipeTransport(2)).toBeNull();
      expect(child.getPid()).toBe(4242);
    });
  });

  it('ends the output pipes when the child exits, dropping what it drew after', () => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, { stdout: '-a---b|', exit: '--0' });
      helpers.expectObservable(child.data$.pipe(map(decode))).toBe('-a|');
    });
  });

  it('shows a child killed by a signal: exit of -9', () => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, {
        stdout: '-a---',
        exit: '---k',
        values: { k: -9 },
      });
      helpers.expectObservable(child.exit$).toBe('---(k|)', { k: -9 });
      helpers.expectObservable(child.data$.pipe(map(decode))).toBe('-a-|');
    });
  });

  it('dies of kill(): SIGKILL exits it with -9 on that frame', () => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, { stdout: '-a---' });
      helpers.cold('--x').subscribe(() => {
        child.terminate();
        child.kill();
      });
      helpers.expectObservable(child.signals$).toBe('--(tk|)', { t: 'SIGTERM', k: 'SIGKILL' });
      helpers.expectObservable(child.exit$).toBe('--(k|)', { k: -9 });
      helpers.expectObservable(child.closed$).toBe('--(n|)', { n: null });
    });
  });

  it('takes # on a pipe as a reset of that pipe only', () => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, {
        stdout: '-a-#',
        stderr: '----e|',
        exit: '------0',
      });
      helpers.expectObservable(child.stdout!.closed$).toBe('---(e|)', {
        e: expect.objectContaining({ code: 'ECONNRESET' }),
      });
      helpers
        .expectObservable(child.output$.pipe(map(({ fd, data }) => `${fd}${decode(data)}`)))
        .toBe('-a-#', { a: '1a' }, expect.objectContaining({ code: 'ECONNRESET' }));
      helpers.expectObservable(child.exit$).toBe('------(z|)', { z: 0 });
    });
  });
});
