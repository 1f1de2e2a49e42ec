/**
 * subprocessExec with real children: return codes from terminate and kill, sendSignal's
 * checks, and close, which leaves no process and no handle behind.
 */
import { constants } from 'node:os';
import { ProcessLookupError, subprocessExec } from '../../src/index';
import { thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { turns } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { childHandleCount, isAlive, signalZeroError, valueOf } from '../helpers/process';
import { trackedExec } from '../helpers/trackedExec';
import { useLeakCheck } from '../helpers/leaks';

describe('subprocessExec', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();
  const exec = trackedExec(resources);

  describe('terminate', () => {
    it('ends sleep with return code -15', async () => {
      const child = await exec('sleep', ['30']);
      child.terminate();
      expect(await valueOf(child.exit$, 'sleep to exit')).toBe(-15);
      expect(child.getReturncode()).toBe(-15);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
    });
  });

  describe('kill', () => {
    it('ends sleep with return code -9', async () => {
      const child = await exec('sleep', ['30']);
      child.kill();
      expect(await valueOf(child.exit$, 'sleep to exit')).toBe(-9);
      expect(child.getReturncode()).toBe(-9);
    });
  });

  describe('sendSignal', () => {
    it('sends a signal by name or by number', async () => {
      const byName = await exec('sleep', ['30']);
      const byNumber = await exec('sleep', ['30']);
      byName.sendSignal('SIGINT');
      byNumber.sendSignal(constants.signals.SIGUSR1);
      expect(await valueOf(byName.exit$, 'SIGINT to end sleep')).toBe(-2);
      expect(await valueOf(byNumber.exit$, 'SIGUSR1 to end sleep')).toBe(
        -constants.signals.SIGUSR1,
      );
    });

    it('throws TypeError ERR_INVALID_ARG_VALUE for an unknown signal name', async () => {
      const child = await exec('sleep', ['30']);
      for (const signal of ['SIGBOGUS', 'TERM', -1, 1.5]) {
        expect(
          thrownBy(() => {
            child.sendSignal(signal);
          }),
        ).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
      }
      expect(child.getReturncode()).toBeNull();
      expect(isAlive(child.getPid())).toBe(true);
    });

    it('throws ProcessLookupError ESRCH once the transport has finished', async () => {
      const child = await exec('true');
      await valueOf(child.closed$, 'the transport to be lost');
      const error = thrownBy(() => {
        child.kill();
      });
      expect(error).toBeInstanceOf(ProcessLookupError);
      expect(error).toMatchObject({ code: 'ESRCH' });
    });
  });

  describe('close', () => {
    it('kills a running child and leaves no process and no handle behind', async () => {
      await turns(3);
      const handles = childHandleCount();
      const child = await subprocessExec('sleep', ['30']);
      const pid = child.getPid();
      const pipes = [child.stdin!, child.stdout!, child.stderr!];
      child.close();
      expect(child.isClosing()).toBe(true);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      expect(child.getReturncode()).toBe(-9);
      for (const pipe of pipes) {
        expect(pipe.isClosing()).toBe(true);
        expect(await valueOf(pipe.closed$, 'a pipe to close')).toBeNull();
      }
      expect(signalZeroError(pid)?.code).toBe('ESRCH');
      await turns(3);
      expect(childHandleCount()).toBe(handles);
    });

    it('does not signal a child that has exited, and is idempotent', async () => {
      const child = await exec('true');
      expect(await valueOf(child.exit$, 'true to exit')).toBe(0);
      child.close();
      child.close();
      await valueOf(child.closed$, 'the transport to be lost');
      expect(child.getReturncode()).toBe(0);
      expect(child.isClosing()).toBe(true);
    });
  });
});
