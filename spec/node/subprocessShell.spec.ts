/**
 * subprocessShell with real shells: output on both descriptors and the return code, stdio
 * options, a grandchild that outlives the shell, signals, close, argument checks.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { subprocessShell, type SubprocessOptions } from '../../src/index';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { collect } from '../helpers/streams';
import { turns } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import {
  childHandleCount,
  recordingSubprocessProtocol,
  signalZeroError,
  trackProcess,
  valueOf,
} from '../helpers/process';
import { useLeakCheck } from '../helpers/leaks';

describe('subprocessShell', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function shell(command: string, options: SubprocessOptions = {}) {
    return trackProcess(resources, await subprocessShell(command, options));
  }

  it('tags stdout and stderr on output$ and reports return code 3', async () => {
    const child = await shell('echo out; echo err >&2; exit 3');
    const output = await lastValueFrom(child.output$.pipe(toArray()));
    const byFd = (fd: 1 | 2) =>
      Buffer.concat(output.filter((o) => o.fd === fd).map((o) => o.data)).toString();
    expect(byFd(1)).toBe('out\n');
    expect(byFd(2)).toBe('err\n');
    expect(await valueOf(child.exit$, 'the shell to exit')).toBe(3);
    expect(child.getReturncode()).toBe(3);
    expect(await lastValueFrom(child.exit$.pipe(toArray()))).toEqual([3]);
    expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
  });

  it("has the shell's pid", async () => {
    const child = await shell('echo $$');
    expect((await collect(child.data$)).toString()).toBe(`${child.getPid()}\n`);
  });

  it('reads stdin', async () => {
    const child = await shell('tr a-z A-Z');
    child.stdin!.write(Buffer.from('shout\n'));
    child.stdin!.writeEof();
    expect((await collect(child.data$)).toString()).toBe('SHOUT\n');
  });

  it("joins stderr to stdout for the whole command line with stderr: 'stdout'", async () => {
    const child = await shell('echo one; echo two >&2; sh -c "echo three >&2"', {
      stderr: 'stdout',
    });
    expect(child.stderr).toBeNull();
    expect(child.getPipeTransport(2)).toBeNull();
    expect((await collect(child.data$)).toString()).toBe('one\ntwo\nthree\n');
    expect(await valueOf(child.exit$, 'the shell to exit')).toBe(0);
  });

  it("has no stdout transport with stdout: 'devnull'; stderr is still piped", async () => {
    const child = await shell('echo gone; echo kept >&2; sleep 30', { stdout: 'devnull' });
    expect(child.stdout).toBeNull();
    expect(child.getPipeTransport(1)).toBeNull();
    expect(await lastValueFrom(child.data$.pipe(toArray()))).toEqual([]);
    expect(child.getReturncode()).toBeNull();
    const first = await valueOf(child.stderr!.data$, 'stderr output');
    expect(Buffer.from(first).toString()).toBe('kept\n');
  });

  it('reports processExited before the pipe a grandchild still holds closes [X5]', async () => {
    const rec = recordingSubprocessProtocol();
    const child = await shell('(sleep 0.3; echo late) & exit 0', {
      stdin: 'devnull',
      protocol: () => rec.protocol,
    });
    await rec.done;
    const { events } = rec;
    expect(events.indexOf('exited')).toBeLessThan(events.indexOf('data1'));
    expect(events.indexOf('data1')).toBeLessThan(events.indexOf('pipeLost1'));
    expect(events.at(-1)).toBe('lost');
    expect(rec.text(1)).toBe('late\n');
    expect(child.getReturncode()).toBe(0);
  });

  it('returns 127 for a command the shell cannot find (no rejection)', async () => {
    const child = await shell('rxt-no-such-command-either');
    const stderr = collect(child.stderr!.data$);
    expect(await valueOf(child.exit$, 'the shell to exit')).toBe(127);
    expect((await stderr).toString()).toContain('rxt-no-such-command-either');
  });

  describe('terminate', () => {
    it('ends the shell with -15', async () => {
      const child = await shell('exec sleep 30');
      child.terminate();
      expect(await valueOf(child.exit$, 'the shell to exit')).toBe(-15);
    });
  });

  describe('close', () => {
    it('kills the shell and leaves no process and no handle behind', async () => {
      await turns(3);
      const handles = childHandleCount();
      const child = await subprocessShell('exec sleep 30');
      const pid = child.getPid();
      child.close();
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      expect(child.getReturncode()).toBe(-9);
      expect(signalZeroError(pid)?.code).toBe('ESRCH');
      await turns(3);
      expect(childHandleCount()).toBe(handles);
    });
  });

  describe('errors', () => {
    it.each<[string, () => Promise<unknown>, string]>([
      [
        'a command that is not a string',
        () => subprocessShell(['ls'] as never),
        'ERR_INVALID_ARG_VALUE',
      ],
      ['a missing command', () => subprocessShell(undefined as never), 'ERR_INVALID_ARG_VALUE'],
      [
        "stdin: 'stdout'",
        () => subprocessShell('true', { stdin: 'stdout' as never }),
        'ERR_INVALID_ARG_VALUE',
      ],
      [
        'an unknown stdio option',
        () => subprocessShell('true', { stderr: 'pipes' as never }),
        'ERR_INVALID_ARG_VALUE',
      ],
      [
        'options that are not an object',
        () => subprocessShell('true', null as never),
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
  });
});
