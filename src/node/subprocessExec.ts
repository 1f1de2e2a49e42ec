import { invalidArgType, invalidArgValue } from '../core/argErrors.js';
import type { SubprocessTransport } from '../core/transports.js';
import { requireString } from '../core/validate.js';
import { assertExecutable, spawnPlan, type SubprocessOptions } from './spawnOptions.js';
import { spawnProcess } from './spawnProcess.js';

/** The `sh` script that runs its arguments with stderr joined to stdout. */
const JOIN_STDERR = 'exec "$0" "$@" 2>&1';

/**
 * Runs a program (asyncio `loop.subprocess_exec`). Resolves once the child runs and the
 * protocol's `connectionMade` has run; a missing program rejects with a `TransportOSError` of
 * code `'ENOENT'`.
 *
 * @example
 * ```ts
 * import { subprocessExec } from 'rxtransport';
 * const child = await subprocessExec('cat');
 * child.data$.subscribe((chunk) => process.stdout.write(chunk));
 * child.sink.next(new TextEncoder().encode('hello\n'));
 * child.sink.complete(); // EOF on the child's stdin
 * ```
 * @throws TypeError `ERR_INVALID_ARG_TYPE` unless `program` and every argument are strings.
 * @group Factories
 */
export async function subprocessExec(
  program: string,
  args: readonly string[] = [],
  options: SubprocessOptions = {},
): Promise<SubprocessTransport> {
  requireString('program', program);
  if (program === '') throw invalidArgValue('program', 'must not be empty');
  // spawn refuses these too (with Node's error): the same refusal before the sh wrapper.
  if (program.includes('\0')) throw invalidArgValue('program', 'must not contain a NUL byte');
  if (!Array.isArray(args)) throw invalidArgType('args', 'an array of strings', args);
  const argv = (args as readonly unknown[]).map((arg, index) =>
    requireString(`args[${index}]`, arg),
  );
  const plan = spawnPlan(options);
  if (plan.stderrToStdout) {
    assertExecutable(program, plan.env, plan.cwd);
    return spawnProcess('/bin/sh', ['-c', JOIN_STDERR, program, ...argv], plan);
  }
  return spawnProcess(program, argv, plan);
}
