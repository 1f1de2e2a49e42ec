import { ReplaySubject, type Observable } from 'rxjs';
import type { CallSoon } from '../core/callSoon.js';
import { osError } from '../core/osErrors.js';
import type { ProcessHandle } from '../core/processHandle.js';
import type { MarbleStreamHandle } from './MarbleStreamHandle.js';

const SIGKILL = 9;

/**
 * A {@link ProcessHandle} whose child is a set of marbles: its output pipes play their marbles,
 * it exits at the frame of the `exit` marble's value, and signals are recorded. `SIGKILL`,
 * which no child can catch, kills it: it exits with `-9` on that frame. At its exit the child's
 * output pipes end, as a real child's do when it dies.
 * @internal
 */
export class MarbleProcessHandle implements ProcessHandle {
  readonly pid = 4242;
  readonly extraInfo: Readonly<Record<string, unknown>> = { subprocess: { marble: true } };
  private readonly signalled = new ReplaySubject<number | string>();
  private returncode: number | null = null;
  private listener: ((returncode: number) => void) | null = null;

  /** Each signal sent to the child while it ran. */
  readonly signals$: Observable<number | string> = this.signalled.asObservable();

  constructor(
    readonly stdio: readonly [
      MarbleStreamHandle | null,
      MarbleStreamHandle | null,
      MarbleStreamHandle | null,
    ],
    exit: Observable<number> | null,
    private readonly callSoon: CallSoon,
  ) {
    exit?.subscribe((returncode) => {
      this.exited(returncode);
    });
  }

  onExit(onExit: (returncode: number) => void): void {
    if (this.returncode !== null) onExit(this.returncode);
    else this.listener = onExit;
  }

  signal(signal: number | string): void {
    if (this.returncode !== null) throw osError('ESRCH', 'kill ESRCH', { syscall: 'kill' });
    this.signalled.next(signal);
    if (signal === SIGKILL || signal === 'SIGKILL') {
      this.callSoon(() => {
        this.exited(-SIGKILL);
      });
    }
  }

  private exited(returncode: number): void {
    if (this.returncode !== null) return;
    this.returncode = returncode;
    this.signalled.complete();
    this.stdio[1]?.end();
    this.stdio[2]?.end();
    const listener = this.listener;
    this.listener = null;
    listener?.(returncode);
  }
}
