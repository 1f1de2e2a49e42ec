/**
 * Bad input to a subprocess transport: `sendSignal`, `getPipeTransport` and `getExtraInfo` take
 * anything, each working or throwing a `TransportError`, or a `TypeError`/`RangeError` carrying
 * a string `code`; the child is killed only by valid signals, and stays usable otherwise.
 */
import fc from 'fast-check';
import { subprocessExec } from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { trackProcess, valueOf } from '../helpers/process';
import {
  anything,
  collectExceptionReports,
  expectWorksOrCodedError,
  lookAlikes,
  oneOfValues,
  settle,
  show,
  triedSummary,
} from './badInput';
import { NUM_RUNS } from './transportMethods.helpers';

describe('transport methods given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  collectExceptionReports();

  afterAll(() => {
    console.log(`transport methods given bad input (subprocesses): ${triedSummary()}`);
  });

  describe('on a subprocess transport', () => {
    it('sendSignal, getPipeTransport, getExtraInfo take anything; the child is killed only by signals', async () => {
      let child: SubprocessTransport = trackProcess(
        resources,
        await subprocessExec('sleep', ['30']),
      );
      let spawned = 1;
      const signals = fc.oneof(
        oneOfValues([
          0,
          -1,
          65,
          64,
          1.5,
          NaN,
          'SIGTERM',
          'sigterm',
          'TERM',
          'SIGKILL ',
          '',
          'SIGFOO',
          '0',
          9n,
        ]),
        fc.constantFrom(...lookAlikes()),
        anything(),
      );
      const fds = fc.oneof(oneOfValues([0, 1, 2, 3, -1, 1.5, '1', NaN, null]), anything());
      await fc.assert(
        fc.asyncProperty(signals, fds, async (signal, fd) => {
          if (child.getReturncode() !== null) {
            // A valid signal ended it: go on with a fresh child (rarely: most values are invalid).
            await valueOf(child.closed$, 'the signalled child to end');
            child = trackProcess(resources, await subprocessExec('sleep', ['30']));
            spawned += 1;
          }
          const outcome = await settle(() => {
            child.sendSignal(signal as never);
          });
          expectWorksOrCodedError(outcome, `sendSignal(${show(signal)})`);
          expectWorksOrCodedError(
            await settle(() => child.getPipeTransport(fd as never)),
            `getPipeTransport(${show(fd)})`,
          );
          expectWorksOrCodedError(
            await settle(() => child.getExtraInfo(fd as never)),
            `getExtraInfo(${show(fd)})`,
          );
          expect(child.isClosing()).toBe(false);
        }),
        { numRuns: NUM_RUNS },
      );
      expect(spawned).toBeLessThan(NUM_RUNS / 3);
      child.stdin!.write(utf8('still there'));
    });
  });
});
