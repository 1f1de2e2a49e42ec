/**
 * The platform-free subprocess transport over a scripted ProcessHandle: return codes, exit$ and
 * closed$, signals [X6, X7], close and isClosing [X8, X9].
 */
import { lastValueFrom, toArray } from 'rxjs';
import { BrokenPipeError, ProcessLookupError, TransportOSError } from '../../src/core/osErrors';
import { finish, open } from '../helpers/FakeProcessHandle';
import { bytes, turn } from '../helpers/FakeStreamHandle';
import { useExceptionReports } from '../helpers/exceptions';

describe('ProcessTransport', () => {
  const reported = useExceptionReports();

  describe('getReturncode', () => {
    it('is null until the exit is seen, then the code, before processExited runs', async () => {
      const { handle, transport, rec } = await open();
      expect(transport.getReturncode()).toBeNull();
      handle.exit(-9);
      expect(transport.getReturncode()).toBe(-9);
      expect(rec.events).not.toContain('exited');
      await turn(4);
      expect(rec.returncodeAtExit).toBe(-9);
    });
  });

  describe('exit$', () => {
    it('emits the return code once, replays it and completes', async () => {
      const { handle, transport } = await open([false, false, false], { withProtocol: false });
      const early = lastValueFrom(transport.exit$.pipe(toArray()));
      handle.exit(7);
      await turn(4);
      expect(await early).toEqual([7]);
      expect(await lastValueFrom(transport.exit$.pipe(toArray()))).toEqual([7]);
    });
  });

  describe('closed$', () => {
    it('emits null once the transport is lost, and replays it', async () => {
      const opened = await open();
      const values: (Error | null)[] = [];
      opened.transport.closed$.subscribe((v) => values.push(v));
      await finish(opened.handle);
      expect(values).toEqual([null]);
      expect(await lastValueFrom(opened.transport.closed$.pipe(toArray()))).toEqual([null]);
    });
  });

  describe('sendSignal', () => {
    it('sends signals by name or number to a running child', async () => {
      const { handle, transport } = await open();
      transport.sendSignal('SIGUSR1');
      transport.sendSignal(15);
      transport.terminate();
      transport.kill();
      expect(handle.signals).toEqual(['SIGUSR1', 15, 'SIGTERM', 'SIGKILL']);
    });

    it('is a silent no-op between the exit and connectionLost', async () => {
      const { handle, transport, rec } = await open();
      handle.exit(0);
      await turn(4);
      expect(rec.events).toContain('exited');
      expect(rec.events).not.toContain('lost');
      expect(() => {
        transport.sendSignal('SIGTERM');
        transport.terminate();
        transport.kill();
      }).not.toThrow();
      expect(handle.signals).toEqual([]);
    });

    it('throws ProcessLookupError ESRCH once the transport has finished', async () => {
      const opened = await open();
      await finish(opened.handle);
      const { transport } = opened;
      for (const call of [
        () => {
          transport.sendSignal('SIGTERM');
        },
        () => {
          transport.terminate();
        },
        () => {
          transport.kill();
        },
      ]) {
        let thrown: unknown;
        try {
          call();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(ProcessLookupError);
        expect(thrown).toBeInstanceOf(TransportOSError);
        expect(thrown).toMatchObject({ name: 'ProcessLookupError', code: 'ESRCH' });
      }
      expect(opened.handle.signals).toEqual([]);
    });
  });

  describe('close', () => {
    it('closes the pipes and kills a running child; connectionLost follows the exit', async () => {
      const { handle, transport, rec } = await open();
      transport.close();
      transport.close();
      expect(transport.isClosing()).toBe(true);
      expect(handle.signals).toEqual(['SIGKILL']);
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost0', 'pipeLost1', 'pipeLost2']);
      handle.exit(-9);
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost0', 'pipeLost1', 'pipeLost2', 'exited', 'lost']);
      expect(transport.getReturncode()).toBe(-9);
      expect(rec.lost).toEqual([null]);
    });

    it('does not signal a child that has exited', async () => {
      const { handle, transport, rec } = await open();
      handle.exit(0);
      transport.close();
      await turn(4);
      expect(handle.signals).toEqual([]);
      expect(rec.events.at(-1)).toBe('lost');
    });

    it('ignores ProcessLookupError from a child that vanished unseen', async () => {
      const { handle, transport } = await open();
      handle.gone = true;
      expect(() => {
        transport.close();
      }).not.toThrow();
      expect(reported.take()).toEqual([]);
    });

    it('flushes stdin first; a child killed meanwhile makes it a BrokenPipeError', async () => {
      const { handle, transport, rec } = await open();
      transport.stdin!.write(bytes('pending'));
      transport.close();
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost1', 'pipeLost2']);
      handle.exit(-9);
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost1', 'pipeLost2', 'pipeLost0', 'exited', 'lost']);
      expect(rec.pipeErrors.get(0)).toBeInstanceOf(BrokenPipeError);
      expect(rec.pipeErrors.get(0)).toMatchObject({ code: 'EPIPE' });
      expect(rec.lost).toEqual([null]);
    });
  });

  describe('isClosing', () => {
    it('stays false after the exit and connectionLost, until close() [X9]', async () => {
      const opened = await open();
      await finish(opened.handle);
      expect(opened.rec.events.at(-1)).toBe('lost');
      expect(opened.transport.isClosing()).toBe(false);
      opened.transport.close();
      expect(opened.transport.isClosing()).toBe(true);
      expect(opened.handle.signals).toEqual([]);
    });
  });
});
