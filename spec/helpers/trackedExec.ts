import { subprocessExec, type SubprocessOptions } from '../../src/index';
import type { Resources } from './resources';
import { trackProcess } from './process';

/** `subprocessExec` whose children are tracked in `resources`, so none outlives its test. */
export function trackedExec(resources: Resources) {
  return async function exec(
    program: string,
    args: string[] = [],
    options: SubprocessOptions = {},
  ) {
    return trackProcess(resources, await subprocessExec(program, args, options));
  };
}
