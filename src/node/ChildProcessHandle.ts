import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { describeValue, invalidArgValue } from '../core/argErrors.js';
import type { StreamHandle } from '../core/handle.js';
import { osError } from '../core/osErrors.js';
import type { ProcessHandle } from '../core/processHandle.js';
import { ReadableHandle } from './ReadableHandle.js';
import { WritableHandle } from './WritableHandle.js';

const signalNumbers: Readonly<Record<string, number>> = constants.signals;

/** Checks a signal given by number or name, as `process.kill` accepts them. @internal */
export function checkSignal(signal: unknown): number | NodeJS.Signals {
  if (typeof signal === 'number' && Number.isInteger(signal) && signal >= 0 && signal <= 64)
    return signal;
  if (typeof signal === 'string' && Object.hasOwn(signalNumbers, signal))
    return signal as NodeJS.Signals;
  throw invalidArgValue(
    'signal',
    `must be a signal number or name such as 'SIGTERM', received ${describeValue(signal)}`,
  );
}

/**
 * Drives a subprocess transport from a spawned `ChildProcess`: its stdio sockets become pipe
 * handles; Node's 'exit' gives the return code, with a signal death as `-N` as asyncio.
 * @internal
 */
export class ChildProcessHandle implements ProcessHandle {
  readonly pid: number;
  readonly stdio: readonly [StreamHandle | null, StreamHandle | null, StreamHandle | null];
  readonly extraInfo: Readonly<Record<string, unknown>>;

  constructor(private readonly child: ChildProcess) {
    if (child.pid === undefined) throw new Error('ChildProcessHandle needs a spawned child');
    this.pid = child.pid;
    this.extraInfo = { subprocess: child };
    this.stdio = [
      child.stdin ? new WritableHandle(child.stdin, { pipe: child.stdin }) : null,
      child.stdout ? new ReadableHandle(child.stdout, { pipe: child.stdout }) : null,
      child.stderr ? new ReadableHandle(child.stderr, { pipe: child.stderr }) : null,
    ];
  }

  onExit(onExit: (returncode: number) => void): void {
    const report = (code: number | null, signal: NodeJS.Signals | null): void => {
      onExit(code ?? -(signal === null ? 0 : (signalNumbers[signal] ?? 0)));
    };
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      report(this.child.exitCode, this.child.signalCode);
      return;
    }
    this.child.once('exit', report);
  }

  signal(signal: number | string): void {
    const checked = checkSignal(signal);
    if (!this.child.kill(checked)) {
      throw osError('ESRCH', `kill ESRCH: process ${this.pid} does not exist`, { syscall: 'kill' });
    }
  }
}
