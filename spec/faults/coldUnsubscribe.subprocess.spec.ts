/**
 * Faults: unsubscribing from `fromSubprocess` at every stage: before it has started (after 0 to
 * 8 turns of the loop, so that each step of the opening is hit), mid-stream, after EOF on the
 * child's stdout, and after the child exited. Every stage ends with no handle left (the leak
 * check), no child left running, and nothing reported.
 */
import { fromSubprocess } from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { patternBytes, utf8 } from '../helpers/bytes';
import { expectHandlesBack, useLeakCheck } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { collect, record } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { isAlive, valueOf, within } from '../helpers/process';
import { EARLY_TURNS, observe, processesWith, uniqueSleep } from './coldUnsubscribe.helpers';

describe('unsubscribing from a cold form', () => {
  const resources = useResources();
  const leaks = useLeakCheck(resources);
  useExceptionReports();

  describe('fromSubprocess', () => {
    it.each(EARLY_TURNS)('before it has started (after %i turns) kills the child', async (n) => {
      const duration = uniqueSleep();
      const observed = observe(resources, fromSubprocess('sleep', [duration]));
      await turns(n);
      observed.subscription.unsubscribe();
      await expectHandlesBack(leaks.baseline(), { types: ['ProcessWrap'] });
      expect(processesWith(`sleep ${duration}`)).toEqual([]);
      expect(observed.ending).toBeNull();
      for (const child of observed.values) {
        expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
      }
    });

    it('mid-stream kills the child with SIGKILL', async () => {
      const observed = observe(resources, fromSubprocess('cat'));
      const child: SubprocessTransport = await within(observed.first, 'the child');
      const echoed = record(child.data$);
      child.sink.next(utf8('ping'));
      await waitFor(() => echoed.bytes().toString() === 'ping', 'the echo');
      child.sink.next(patternBytes(MiB));
      observed.subscription.unsubscribe();
      expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      expect(isAlive(child.getPid())).toBe(false);
      expect(observed.ending).toBeNull();
    });

    it('after EOF on its stdout kills the child that still runs', async () => {
      const duration = uniqueSleep();
      const observed = observe(
        resources,
        fromSubprocess('/bin/sh', ['-c', `echo done; exec >&-; exec sleep ${duration}`]),
      );
      const child: SubprocessTransport = await within(observed.first, 'the child');
      expect((await collect(child.data$)).toString()).toBe('done\n');
      expect(child.getReturncode()).toBeNull();
      observed.subscription.unsubscribe();
      expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      expect(processesWith(`sleep ${duration}`)).toEqual([]);
    });

    it('after the child exited is a no-op: the cold form had completed', async () => {
      const observed = observe(resources, fromSubprocess('true'));
      const child: SubprocessTransport = await within(observed.first, 'the child');
      await waitFor(() => observed.ending !== null, 'completion');
      expect(observed.ending).toBe('complete');
      expect(child.getReturncode()).toBe(0);
      observed.subscription.unsubscribe();
    });
  });
});
