/**
 * Faults: `close()` and `kill()` called from inside every callback of a `SubprocessProtocol`
 * (connectionMade, pipeDataReceived, pipeConnectionLost, processExited, connectionLost,
 * pauseWriting) of a real child. `connectionLost` comes exactly once with no error, nothing
 * thrown escapes or reaches the exception handler, and the child is not left running.
 */
import { subprocessExec, type SubprocessProtocol } from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { patternBytes } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { KiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { isAlive, trackProcess, valueOf } from '../helpers/process';

describe('close() and abort() from inside callbacks', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  describe('of a subprocess transport', () => {
    type ProcessAction = 'close' | 'kill';
    interface ProcessCase {
      readonly name: string;
      readonly args: readonly string[];
      readonly protocol: (act: () => void) => SubprocessProtocol<SubprocessTransport>;
    }
    const cases: readonly ProcessCase[] = [
      { name: 'connectionMade', args: ['-c', 'cat'], protocol: (act) => ({ connectionMade: act }) },
      {
        name: 'pipeDataReceived',
        args: ['-c', 'echo hello; exec cat'],
        protocol: (act) => ({ pipeDataReceived: act }),
      },
      {
        name: 'pipeConnectionLost',
        args: ['-c', 'exec >&-; exec sleep 30'],
        protocol: (act) => ({ pipeConnectionLost: act }),
      },
      {
        name: 'processExited',
        args: ['-c', 'exit 3'],
        protocol: (act) => ({ processExited: act }),
      },
      {
        name: 'connectionLost',
        args: ['-c', 'exit 0'],
        protocol: (act) => ({ connectionLost: act }),
      },
      {
        name: 'pauseWriting',
        args: ['-c', 'exec sleep 30'],
        protocol: (act) => ({ pauseWriting: act }),
      },
    ];
    const actions: readonly ProcessAction[] = ['close', 'kill'];
    const table = cases.flatMap((c) => actions.map((action) => [c.name, action, c] as const));

    it.each(table)('%s calling %s()', async (_name, action, c) => {
      let child!: SubprocessTransport;
      const thrown: unknown[] = [];
      let acted = false;
      const act = (): void => {
        if (acted) return;
        acted = true;
        try {
          if (action === 'close') {
            child.close();
            child.close();
          } else if (child.getReturncode() === null) {
            child.kill();
          }
        } catch (error) {
          thrown.push(error);
        }
      };
      const lost: (Error | null)[] = [];
      const own = c.protocol(act);
      child = trackProcess(
        resources,
        await subprocessExec('/bin/sh', [...c.args], {
          protocol: () => ({
            ...own,
            connectionMade: (t) => {
              child = t;
              own.connectionMade?.(t);
            },
            connectionLost: (exc) => {
              lost.push(exc);
              own.connectionLost?.(exc);
            },
          }),
        }),
      );
      if (c.name === 'pauseWriting') {
        for (let i = 0; i < 64 && !acted; i++) child.stdin!.write(patternBytes(256 * KiB));
      }
      await waitFor(() => acted, 'the callback to act');
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      await turns(10);
      expect(thrown).toEqual([]);
      expect(lost).toEqual([null]);
      expect(isAlive(child.getPid())).toBe(false);
      const code = child.getReturncode();
      expect(code === -9 || code === 0 || code === 3).toBe(true);
    });
  });
});
