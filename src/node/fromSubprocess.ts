import type { Observable } from 'rxjs';
import type { SubprocessTransport } from '../core/transports.js';
import { coldTransport } from '../core/coldOpen.js';
import type { SubprocessOptions } from './spawnOptions.js';
import { subprocessExec } from './subprocessExec.js';

/**
 * The cold form of {@link subprocessExec}: starts the program on subscribe, emits its
 * transport, completes once the child exited and its pipes closed; unsubscribing calls
 * `close()`, which kills the child with SIGKILL if it still runs, as asyncio's close does.
 *
 * @example
 * ```ts
 * import { fromSubprocess } from 'rxtransport';
 * import { switchMap } from 'rxjs';
 * fromSubprocess('ls', ['-l']).pipe(switchMap((child) => child.data$)).subscribe((chunk) => {
 *   process.stdout.write(chunk);
 * });
 * ```
 * @group Factories
 */
export function fromSubprocess(
  program: string,
  args?: readonly string[],
  options?: SubprocessOptions,
): Observable<SubprocessTransport> {
  return coldTransport(() => subprocessExec(program, args, options));
}
