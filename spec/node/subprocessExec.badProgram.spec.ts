/**
 * subprocessExec fails the same way for a bad program with and without `stderr: 'stdout'` (whose
 * children start through an `sh` wrapper): what spawn reports is what the wrapper's check
 * reports, `execvp`'s rules: `EACCES` for a file that is not executable and for a directory,
 * `ENOENT` for a missing one, a `PATH` search that skips what it cannot run.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransportOSError, subprocessExec, type SubprocessOptions } from '../../src/index';
import { collect, rejectionOf, turns, useResources } from '../helpers/net';
import { useExceptionReports } from '../helpers/exceptions';
import { childHandleCount, valueOf } from '../helpers/process';
import { trackedExec } from '../helpers/trackedExec';
import { useLeakCheck } from '../helpers/leaks';

const MODES: [string, SubprocessOptions][] = [
  ['stderr piped', {}],
  ["stderr: 'stdout'", { stderr: 'stdout' }],
];

describe.each(MODES)('subprocessExec with a bad program (%s)', (_, mode) => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();
  const exec = trackedExec(resources);
  let dir = '';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxt-prog-'));
    // A file that is not executable, a directory, and PATH directories holding each.
    writeFileSync(join(dir, 'plain'), 'echo should not run\n', { mode: 0o644 });
    mkdirSync(join(dir, 'adir'));
    mkdirSync(join(dir, 'bin1'));
    mkdirSync(join(dir, 'bin2'));
    writeFileSync(join(dir, 'bin1', 'prog'), 'echo not executable\n', { mode: 0o644 });
    mkdirSync(join(dir, 'bin1', 'dprog'));
    writeFileSync(join(dir, 'bin2', 'prog'), '#!/bin/sh\necho second\n', { mode: 0o755 });
    // An executable without a #! line: execvp runs it with /bin/sh.
    writeFileSync(join(dir, 'noshebang'), 'echo via sh\n');
    chmodSync(join(dir, 'noshebang'), 0o755);
    resources.defer(() => {
      rmSync(dir, { recursive: true, force: true });
    });
  });

  async function failure(
    program: string,
    options: SubprocessOptions = {},
  ): Promise<{ error: unknown; leftChildren: number }> {
    await turns(3);
    const handles = childHandleCount();
    const error = await rejectionOf(subprocessExec(program, [], { ...mode, ...options }));
    await turns(3);
    return { error, leftChildren: childHandleCount() - handles };
  }

  it.each<[string, string, () => [string, SubprocessOptions]]>([
    ['a file that is not executable (absolute path)', 'EACCES', () => [join(dir, 'plain'), {}]],
    ['a file that is not executable (relative to cwd)', 'EACCES', () => ['./plain', { cwd: dir }]],
    ['a directory', 'EACCES', () => [join(dir, 'adir'), {}]],
    ['a directory (relative to cwd)', 'EACCES', () => ['./adir', { cwd: dir }]],
    ['a missing file', 'ENOENT', () => [join(dir, 'missing'), {}]],
    [
      'a PATH search that finds only a file that is not executable',
      'EACCES',
      () => ['prog', { env: { PATH: join(dir, 'bin1') } }],
    ],
    [
      'a PATH search that finds only a directory',
      'EACCES',
      () => ['dprog', { env: { PATH: join(dir, 'bin1') } }],
    ],
    [
      'a PATH search that finds nothing',
      'ENOENT',
      () => ['rxt-none', { env: { PATH: join(dir, 'bin2') } }],
    ],
  ])('rejects %s with TransportOSError %s', async (_what, code, args) => {
    const [program, options] = args();
    const { error, leftChildren } = await failure(program, options);
    expect(error).toBeInstanceOf(TransportOSError);
    expect(error).toMatchObject({ code, syscall: `spawn ${program}` });
    expect(leftChildren).toBe(0);
  });

  it('rejects a program with a NUL byte with TypeError ERR_INVALID_ARG_VALUE', async () => {
    const { error } = await failure('ec\0ho');
    expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('skips what it cannot run in a PATH search and runs the next one', async () => {
    const child = await exec('prog', [], {
      ...mode,
      env: { PATH: `${join(dir, 'bin1')}:${join(dir, 'bin2')}` },
    });
    expect((await collect(child.data$)).toString()).toBe('second\n');
    expect(await valueOf(child.exit$, 'prog to exit')).toBe(0);
  });

  it('runs an executable without a #! line through /bin/sh, as execvp does', async () => {
    const child = await exec(join(dir, 'noshebang'), [], mode);
    expect((await collect(child.data$)).toString()).toBe('via sh\n');
    expect(await valueOf(child.exit$, 'the script to exit')).toBe(0);
  });
});
