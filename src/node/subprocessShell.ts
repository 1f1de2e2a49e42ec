import { describeValue, invalidArgValue } from '../core/argErrors.js';
import type { SubprocessTransport } from '../core/transports.js';
import { spawnPlan, type SubprocessOptions } from './spawnOptions.js';
import { spawnProcess } from './spawnProcess.js';

/**
 * Runs a command line with `/bin/sh -c` (asyncio `loop.subprocess_shell`). The pid and return
 * code are the shell's.
 *
 * @example
 * ```ts
 * import { subprocessShell } from 'rxtransport';
 * const child = await subprocessShell('echo out; echo err >&2; exit 3');
 * child.output$.subscribe(({ fd, data }) => console.log(fd, new TextDecoder().decode(data)));
 * child.exit$.subscribe((code) => console.log('exit', code)); // exit 3
 * ```
 * @throws TypeError `ERR_INVALID_ARG_VALUE` unless `command` is one string (asyncio raises
 *   `ValueError('cmd must be a string')`).
 * @group Factories
 */
export async function subprocessShell(
  command: string,
  options: SubprocessOptions = {},
): Promise<SubprocessTransport> {
  // asyncio raises ValueError here, not TypeError: API.md maps ValueError to ERR_INVALID_ARG_VALUE.
  if (typeof command !== 'string')
    throw invalidArgValue('command', `must be a string; received ${describeValue(command)}`);
  const plan = spawnPlan(options);
  // `exec 2>&1` first joins stderr to stdout for the whole command line.
  const script = plan.stderrToStdout ? `exec 2>&1\n${command}` : command;
  return spawnProcess('/bin/sh', ['-c', script], plan);
}
