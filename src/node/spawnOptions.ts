import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import type { StdioOptions } from 'node:child_process';
import { describeValue, invalidArgType, invalidArgValue } from '../core/argErrors.js';
import { osError } from '../core/osErrors.js';
import type { SubprocessProtocol } from '../core/protocols.js';
import type { SubprocessTransport } from '../core/transports.js';
import { optionalFunction, optionalString, requireObject } from '../core/validate.js';

/**
 * Where a child's descriptor goes: a pipe to us, ours, /dev/null, stdout's target, or an fd.
 * @group Factories
 */
export type StdioOption = 'pipe' | 'inherit' | 'devnull' | 'stdout' | number;

/**
 * Options of `subprocessExec` and `subprocessShell`.
 * @group Factories
 */
export interface SubprocessOptions {
  /** @defaultValue 'pipe' */
  readonly stdin?: Exclude<StdioOption, 'stdout'>;
  /** @defaultValue 'pipe' */
  readonly stdout?: Exclude<StdioOption, 'stdout'>;
  /** `'stdout'` sends stderr wherever stdout goes (asyncio `subprocess.STDOUT`). @defaultValue 'pipe' */
  readonly stderr?: StdioOption;
  /** Working directory of the child. */
  readonly cwd?: string;
  /** Environment of the child (replaces ours). */
  readonly env?: Readonly<Record<string, string>>;
  /** Protocol factory; without one the child transports feed their Rx surfaces. */
  readonly protocol?: () => SubprocessProtocol<SubprocessTransport>;
}

/** Validated spawn settings. @internal */
export interface SpawnPlan {
  readonly stdio: StdioOptions;
  readonly stderrToStdout: boolean;
  readonly cwd: string | undefined;
  readonly env: Record<string, string> | undefined;
  readonly protocol: (() => SubprocessProtocol<SubprocessTransport>) | undefined;
}

function stdioOption(
  name: string,
  value: unknown,
  allowStdout: boolean,
): 'pipe' | 'inherit' | 'ignore' | number {
  if (value === undefined || value === 'pipe') return 'pipe';
  if (value === 'inherit') return 'inherit';
  if (value === 'devnull') return 'ignore';
  // An fd is a C int: libuv would wrap a larger number into another descriptor.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2 ** 31 - 1)
    return value;
  if (value === 'stdout' && allowStdout) return 'pipe';
  throw invalidArgValue(
    name,
    `must be 'pipe', 'inherit', 'devnull'${allowStdout ? ", 'stdout'" : ''} or a file descriptor; received ${describeValue(value)}`,
  );
}

/** Checks the options of a subprocess factory. @internal */
export function spawnPlan(options: unknown): SpawnPlan {
  const opts = requireObject('options', options);
  const stdin = stdioOption('options.stdin', opts['stdin'], false);
  const stdout = stdioOption('options.stdout', opts['stdout'], false);
  const stderrToStdout = opts['stderr'] === 'stdout';
  // With stderr: 'stdout' the child's stderr is redirected by the shell wrapper; no pipe for it.
  const stderr = stderrToStdout ? 'inherit' : stdioOption('options.stderr', opts['stderr'], true);
  const cwd = optionalString('options.cwd', opts['cwd']);
  let env: Record<string, string> | undefined;
  if (opts['env'] !== undefined) {
    const given = requireObject('options.env', opts['env']);
    env = {};
    for (const [key, value] of Object.entries(given)) {
      if (typeof value !== 'string')
        throw invalidArgType(`options.env.${key}`, 'of type string', value);
      // 'A=B': 'x' would reach the child as A='B=x' (Python: 'illegal environment variable name').
      if (key === '' || key.includes('='))
        throw invalidArgValue('options.env', `has an illegal variable name: '${key}'`);
      env[key] = value;
    }
  }
  const protocol = optionalFunction<() => SubprocessProtocol<SubprocessTransport>>(
    'options.protocol',
    opts['protocol'],
  );
  return { stdio: [stdin, stdout, stderr], stderrToStdout, cwd, env, protocol };
}

/**
 * Finds `program` as `execvp` would, so that a bad program fails the same way when the child is
 * started through the `sh` wrapper of `stderr: 'stdout'` as when it is spawned directly: with a
 * `/`, the path itself; else each `PATH` directory in turn, skipping what cannot be run. What
 * cannot be run (not a regular file, or not executable) is `EACCES`, as `execve` says; `ENOENT`
 * when nothing was found at all, or only that.
 * @internal
 */
export function assertExecutable(
  program: string,
  env: Record<string, string> | undefined,
  cwd: string | undefined,
): void {
  const candidates = program.includes('/')
    ? [cwd && !program.startsWith('/') ? join(cwd, program) : program]
    : ((env ?? process.env)['PATH'] ?? '/usr/local/bin:/usr/bin:/bin')
        .split(delimiter)
        .map((dir) => join(dir || '.', program));
  let refused = false;
  for (const candidate of candidates) {
    let stats;
    try {
      stats = statSync(candidate);
    } catch {
      continue; // Not there (ENOENT, ENOTDIR): execvp tries the next directory.
    }
    if (stats.isFile()) {
      try {
        accessSync(candidate, fsConstants.X_OK);
        return;
      } catch {
        // Not executable: EACCES, unless a later directory has one that is.
      }
    }
    refused = true;
  }
  const code = refused ? 'EACCES' : 'ENOENT';
  throw osError(code, `spawn ${program} ${code}`, {
    errno: -(osConstants.errno[code] ?? 0),
    syscall: `spawn ${program}`,
  });
}
