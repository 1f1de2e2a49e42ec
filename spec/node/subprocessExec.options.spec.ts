/**
 * subprocessExec with real children: the stdio options, cwd and env, and the checks of its
 * arguments (each bad input rejected with a typed error, nothing left running).
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { TransportClosedError } from '../../src/core/errors';
import { TransportOSError, subprocessExec, type SubprocessOptions } from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { collect } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { childHandleCount, makeFifo, valueOf } from '../helpers/process';
import { trackedExec } from '../helpers/trackedExec';
import { useLeakCheck } from '../helpers/leaks';

describe('subprocessExec', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const reports = useExceptionReports();
  const exec = trackedExec(resources);

  describe('stdio options', () => {
    it("joins stderr to stdout with stderr: 'stdout'; the pid is the program's", async () => {
      const child = await exec('sh', ['-c', 'echo "pid $$"; echo err >&2'], { stderr: 'stdout' });
      expect(child.stderr).toBeNull();
      expect(child.getPipeTransport(2)).toBeNull();
      const output = (await collect(child.data$)).toString();
      expect(output).toBe(`pid ${child.getPid()}\nerr\n`);
      expect(await valueOf(child.exit$, 'sh to exit')).toBe(0);
    });

    it("has no stdout transport with stdout: 'devnull', and data$ completes at once", async () => {
      const child = await exec('sh', ['-c', 'echo discarded; sleep 30']);
      const devnull = await exec('sh', ['-c', 'echo discarded; sleep 30'], { stdout: 'devnull' });
      expect(devnull.stdout).toBeNull();
      expect(devnull.getPipeTransport(1)).toBeNull();
      expect(devnull.stdin).not.toBeNull();
      expect(await lastValueFrom(devnull.data$.pipe(toArray()))).toEqual([]);
      expect(devnull.getReturncode()).toBeNull();
      // The same command with a pipe does deliver its output.
      expect(Buffer.from(await firstValueFrom(child.data$)).toString()).toBe('discarded\n');
    });

    it("gives EOF to a child with stdin: 'devnull', and refuses sink writes", async () => {
      const cat = await exec('cat', [], { stdin: 'devnull' });
      expect(cat.stdin).toBeNull();
      expect(cat.getPipeTransport(0)).toBeNull();
      cat.sink.next(utf8('nowhere'));
      const [report] = reports.take();
      expect(report?.exception).toBeInstanceOf(TransportClosedError);
      expect((await collect(cat.data$)).byteLength).toBe(0);
      expect(await valueOf(cat.exit$, 'cat to exit')).toBe(0);
    });

    it("leaves stdin and stderr to the child with 'inherit'", async () => {
      const child = await exec('echo', ['inherited'], { stdin: 'inherit', stderr: 'inherit' });
      expect(child.stdin).toBeNull();
      expect(child.stderr).toBeNull();
      expect((await collect(child.data$)).toString()).toBe('inherited\n');
      expect(await valueOf(child.exit$, 'echo to exit')).toBe(0);
    });

    it('writes stdout to an fd given as a number', async () => {
      const fifo = makeFifo(resources);
      const file = join(fifo.dir, 'out.txt');
      const fd = openSync(file, 'w');
      resources.defer(() => {
        closeSync(fd);
      });
      const child = await exec('sh', ['-c', 'echo to-file; echo to-pipe >&2'], { stdout: fd });
      expect(child.stdout).toBeNull();
      expect((await collect(child.stderr!.data$)).toString()).toBe('to-pipe\n');
      expect(await valueOf(child.exit$, 'sh to exit')).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('to-file\n');
    });

    it('passes cwd and env to the child', async () => {
      const fifo = makeFifo(resources);
      const child = await exec('sh', ['-c', 'pwd; echo "$GREETING"'], {
        cwd: fifo.dir,
        env: { GREETING: 'hi there', PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      });
      const out = (await collect(child.data$)).toString().split('\n');
      expect(out[1]).toBe('hi there');
      expect(out[0]).toContain('rxt-fifo-');
    });
  });

  describe('errors', () => {
    it.each<[string, SubprocessOptions]>([
      ['piped', {}],
      ["stderr: 'stdout'", { stderr: 'stdout' }],
    ])('rejects a missing program with TransportOSError ENOENT (%s)', async (_, options) => {
      await turns(3);
      const handles = childHandleCount();
      const error = await rejectionOf(subprocessExec('rxt-no-such-program', [], options));
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toMatchObject({ code: 'ENOENT' });
      await turns(3);
      expect(childHandleCount()).toBe(handles);
    });

    it.each<[string, () => Promise<unknown>, string]>([
      ['a program that is not a string', () => subprocessExec(42 as never), 'ERR_INVALID_ARG_TYPE'],
      ['an empty program', () => subprocessExec(''), 'ERR_INVALID_ARG_VALUE'],
      [
        'args that are not an array',
        () => subprocessExec('echo', 'hi' as never),
        'ERR_INVALID_ARG_TYPE',
      ],
      [
        'a number among the args',
        () => subprocessExec('echo', ['a', 2 as never]),
        'ERR_INVALID_ARG_TYPE',
      ],
      [
        'options that are not an object',
        () => subprocessExec('echo', [], 'x' as never),
        'ERR_INVALID_ARG_TYPE',
      ],
      [
        "stdin: 'stdout'",
        () => subprocessExec('echo', [], { stdin: 'stdout' as never }),
        'ERR_INVALID_ARG_VALUE',
      ],
      [
        "stdout: 'stdout'",
        () => subprocessExec('echo', [], { stdout: 'stdout' as never }),
        'ERR_INVALID_ARG_VALUE',
      ],
      [
        'an unknown stdio option',
        () => subprocessExec('echo', [], { stdout: 'null' as never }),
        'ERR_INVALID_ARG_VALUE',
      ],
      ['a negative fd', () => subprocessExec('echo', [], { stderr: -1 }), 'ERR_INVALID_ARG_VALUE'],
      [
        'an fd past the largest int (libuv would wrap it)',
        () => subprocessExec('echo', [], { stdout: 2 ** 31 }),
        'ERR_INVALID_ARG_VALUE',
      ],
      [
        "an env name with '=' (the child would see another variable)",
        () => subprocessExec('echo', [], { env: { 'A=B': 'x' } }),
        'ERR_INVALID_ARG_VALUE',
      ],
      [
        'an empty env name',
        () => subprocessExec('echo', [], { env: { '': 'x' } }),
        'ERR_INVALID_ARG_VALUE',
      ],
      [
        'a cwd that is not a string',
        () => subprocessExec('echo', [], { cwd: 1 as never }),
        'ERR_INVALID_ARG_TYPE',
      ],
      [
        'an env value that is not a string',
        () => subprocessExec('echo', [], { env: { A: 1 as never } }),
        'ERR_INVALID_ARG_TYPE',
      ],
      [
        'a protocol that is not a function',
        () => subprocessExec('echo', [], { protocol: {} as never }),
        'ERR_INVALID_ARG_TYPE',
      ],
    ])('rejects %s with TypeError', async (_, call, code) => {
      await turns(3);
      const handles = childHandleCount();
      const error = await rejectionOf(call());
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code });
      expect(childHandleCount()).toBe(handles);
    });

    it('rejects an argument with a null byte with TypeError ERR_INVALID_ARG_VALUE', async () => {
      const error = await rejectionOf(subprocessExec('echo', ['a\0b']));
      // Node's own TypeError (from Node's realm, so not `instanceof` the test's under jest).
      expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    });

    it('rejects a program that is not executable with TransportOSError EACCES', async () => {
      const error = await rejectionOf(subprocessExec('/etc/passwd'));
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toMatchObject({ code: 'EACCES' });
    });

    it('rejects a missing cwd with TransportOSError ENOENT', async () => {
      const error = await rejectionOf(subprocessExec('echo', [], { cwd: '/rxt-no-such-dir' }));
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toMatchObject({ code: 'ENOENT' });
    });

    it('rejects with what the protocol factory throws, and kills the child', async () => {
      await turns(3);
      const handles = childHandleCount();
      const failure = new Error('factory failed');
      const error = await rejectionOf(
        subprocessExec('sleep', ['30'], {
          protocol: () => {
            throw failure;
          },
        }),
      );
      expect(error).toBe(failure);
      await waitFor(() => childHandleCount() === handles, 'the killed child to be reaped');
    });
  });
});
