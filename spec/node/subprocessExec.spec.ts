/**
 * subprocessExec with real children: data through `cat`, return codes and signals, stdio
 * options, SubprocessProtocol order, argument checks, cleanup, and a Python asyncio child
 * speaking a line protocol.
 */
import { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, from, lastValueFrom, take, toArray } from 'rxjs';
import { TransportClosedError } from '../../src/core/errors';
import {
  ProcessLookupError,
  TransportOSError,
  subprocessExec,
  type SubprocessOptions,
} from '../../src/index';
import { lines } from '../../src/operators/index';
import { python3Available } from '../fixtures/pythonPeer';
import { Hasher, patternBytes, sha256, utf8, writeChunked } from '../helpers/bytes';
import { MiB, collect, rejectionOf, thrownBy, turns, useResources, waitFor } from '../helpers/net';
import {
  LINE_CHILD_SCRIPT,
  childHandleCount,
  isAlive,
  makeFifo,
  recordingSubprocessProtocol,
  signalZeroError,
  trackProcess,
  useExceptionReports,
  valueOf,
} from '../helpers/process';

describe('subprocessExec', () => {
  const resources = useResources();
  const reports = useExceptionReports();

  async function exec(program: string, args: string[] = [], options: SubprocessOptions = {}) {
    return trackProcess(resources, await subprocessExec(program, args, options));
  }

  it('resolves to a running child with piped stdin, stdout and stderr', async () => {
    const child = await exec('sleep', ['30']);
    expect(isAlive(child.getPid())).toBe(true);
    expect(child.getReturncode()).toBeNull();
    expect(child.isClosing()).toBe(false);
    expect(child.getPipeTransport(0)).toBe(child.stdin);
    expect(child.getPipeTransport(1)).toBe(child.stdout);
    expect(child.getPipeTransport(2)).toBe(child.stderr);
    expect(child.stdin!.canWriteEof()).toBe(true);
    expect(child.stdout!.isReading()).toBe(true);
    const popen = child.getExtraInfo('subprocess');
    expect(popen).toBeInstanceOf(ChildProcess);
    expect((popen as ChildProcess).pid).toBe(child.getPid());
    expect(child.stdin!.getExtraInfo('pipe')).toBe((popen as ChildProcess).stdin);
    expect(child.stdout!.getExtraInfo('pipe')).toBe((popen as ChildProcess).stdout);
    expect(child.stderr!.getExtraInfo('pipe')).toBe((popen as ChildProcess).stderr);
  });

  it('closes stdin with connectionLost(null) when the child exits without reading it', async () => {
    const child = await exec('true');
    expect(await valueOf(child.stdin!.closed$, 'stdin to close')).toBeNull();
    expect(child.getReturncode()).toBe(0);
    expect(child.stdin!.isClosing()).toBe(true);
    expect(
      thrownBy(() => {
        child.stdin!.write(utf8('too late'));
      }),
    ).toBeInstanceOf(TransportClosedError);
  });

  it('moves 16 MiB through cat intact', async () => {
    const total = 16 * MiB;
    const payload = patternBytes(total);
    const cat = await exec('cat');
    const received = new Hasher();
    const ended = new Promise<void>((resolve, reject) => {
      cat.data$.subscribe({
        next: (chunk) => {
          received.update(chunk);
        },
        complete: resolve,
        error: reject,
      });
    });
    writeChunked(
      (chunk) => {
        cat.stdin!.write(chunk);
      },
      payload,
      MiB,
    );
    cat.stdin!.writeEof();
    await ended;
    expect(received.bytes).toBe(total);
    expect(received.digest()).toBe(sha256(payload));
    expect(await valueOf(cat.exit$, 'cat to exit')).toBe(0);
    expect(await valueOf(cat.closed$, 'cat to be lost')).toBeNull();
    expect(await valueOf(cat.stdin!.closed$, 'stdin to close')).toBeNull();
  });

  it('composes like a duplex: sink writes stdin, data$ reads stdout', async () => {
    const sort = await exec('sort');
    from(['pear\n', 'apple\n', 'fig\n'].map(utf8)).subscribe(sort.sink);
    const sorted = await lastValueFrom(sort.data$.pipe(lines(), toArray()));
    expect(sorted).toEqual(['apple', 'fig', 'pear']);
    expect(await valueOf(sort.exit$, 'sort to exit')).toBe(0);
  });

  describe('SubprocessProtocol', () => {
    it('calls back in asyncio order: made, data, pipe losses and exit, then lost once', async () => {
      const rec = recordingSubprocessProtocol();
      const child = await exec('sh', ['-c', 'cat; echo err >&2; exit 5'], {
        protocol: () => rec.protocol,
      });
      expect(rec.events).toEqual(['made']);
      expect(child.getProtocol()).toBe(rec.protocol);
      child.stdin!.write(utf8('hello'));
      child.stdin!.writeEof();
      await rec.done;
      await turns(3);
      const { events } = rec;
      expect(events[0]).toBe('made');
      expect(events.at(-1)).toBe('lost');
      expect(events.filter((e) => e === 'lost')).toHaveLength(1);
      expect(events.filter((e) => e === 'exited')).toHaveLength(1);
      for (const fd of [0, 1, 2]) {
        expect(events.filter((e) => e === `pipeLost${fd}`)).toHaveLength(1);
        expect(rec.pipeErrors.get(fd)).toBeNull();
      }
      // Each fd's data comes before that fd's loss.
      expect(events.lastIndexOf('data1')).toBeLessThan(events.indexOf('pipeLost1'));
      expect(events.lastIndexOf('data2')).toBeLessThan(events.indexOf('pipeLost2'));
      expect(rec.text(1)).toBe('hello');
      expect(rec.text(2)).toBe('err\n');
      expect(rec.returncodeAtExit).toBe(5);
      expect(rec.lost).toEqual([null]);
      // With a protocol, the Rx surfaces carry nothing.
      expect(await lastValueFrom(child.data$.pipe(toArray()))).toEqual([]);
    });
  });

  describe('terminate', () => {
    it('ends sleep with return code -15', async () => {
      const child = await exec('sleep', ['30']);
      child.terminate();
      expect(await valueOf(child.exit$, 'sleep to exit')).toBe(-15);
      expect(child.getReturncode()).toBe(-15);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
    });
  });

  describe('kill', () => {
    it('ends sleep with return code -9', async () => {
      const child = await exec('sleep', ['30']);
      child.kill();
      expect(await valueOf(child.exit$, 'sleep to exit')).toBe(-9);
      expect(child.getReturncode()).toBe(-9);
    });
  });

  describe('sendSignal', () => {
    it('sends a signal by name or by number', async () => {
      const byName = await exec('sleep', ['30']);
      const byNumber = await exec('sleep', ['30']);
      byName.sendSignal('SIGINT');
      byNumber.sendSignal(constants.signals.SIGUSR1);
      expect(await valueOf(byName.exit$, 'SIGINT to end sleep')).toBe(-2);
      expect(await valueOf(byNumber.exit$, 'SIGUSR1 to end sleep')).toBe(
        -constants.signals.SIGUSR1,
      );
    });

    it('throws TypeError ERR_INVALID_ARG_VALUE for an unknown signal name', async () => {
      const child = await exec('sleep', ['30']);
      for (const signal of ['SIGBOGUS', 'TERM', -1, 1.5]) {
        expect(
          thrownBy(() => {
            child.sendSignal(signal);
          }),
        ).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
      }
      expect(child.getReturncode()).toBeNull();
      expect(isAlive(child.getPid())).toBe(true);
    });

    it('throws ProcessLookupError ESRCH once the transport has finished', async () => {
      const child = await exec('true');
      await valueOf(child.closed$, 'the transport to be lost');
      const error = thrownBy(() => {
        child.kill();
      });
      expect(error).toBeInstanceOf(ProcessLookupError);
      expect(error).toMatchObject({ code: 'ESRCH' });
    });
  });

  describe('close', () => {
    it('kills a running child and leaves no process and no handle behind', async () => {
      await turns(3);
      const handles = childHandleCount();
      const child = await subprocessExec('sleep', ['30']);
      const pid = child.getPid();
      const pipes = [child.stdin!, child.stdout!, child.stderr!];
      child.close();
      expect(child.isClosing()).toBe(true);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      expect(child.getReturncode()).toBe(-9);
      for (const pipe of pipes) {
        expect(pipe.isClosing()).toBe(true);
        expect(await valueOf(pipe.closed$, 'a pipe to close')).toBeNull();
      }
      expect(signalZeroError(pid)?.code).toBe('ESRCH');
      await turns(3);
      expect(childHandleCount()).toBe(handles);
    });

    it('does not signal a child that has exited, and is idempotent', async () => {
      const child = await exec('true');
      expect(await valueOf(child.exit$, 'true to exit')).toBe(0);
      child.close();
      child.close();
      await valueOf(child.closed$, 'the transport to be lost');
      expect(child.getReturncode()).toBe(0);
      expect(child.isClosing()).toBe(true);
    });
  });

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

  const withPython = python3Available() ? describe : describe.skip;
  if (!python3Available()) console.warn('Python child specs skipped: python3 is not available');

  withPython('with a Python asyncio child', () => {
    const reply = (n: number, line: string): string =>
      `${n} ${Array.from(line.toUpperCase()).reverse().join('')}`;

    it('answers a batch of lines, each with its reply, and says bye on EOF', async () => {
      const child = await exec('python3', [LINE_CHILD_SCRIPT]);
      const sent = Array.from(
        { length: 2000 },
        (_, i) => `line ${i} ünïcödé ${'x'.repeat(i % 97)}`,
      );
      const replies = lastValueFrom(child.data$.pipe(lines(), toArray()));
      const stderr = collect(child.stderr!.data$);
      child.stdin!.write(utf8(sent.map((line) => `${line}\n`).join('')));
      child.stdin!.writeEof();
      expect(await replies).toEqual(sent.map((line, i) => reply(i + 1, line)));
      expect((await stderr).toString()).toBe(`bye ${sent.length}\n`);
      expect(await valueOf(child.exit$, 'python to exit')).toBe(0);
    });

    it('answers each line before the next is sent (ping-pong)', async () => {
      const child = await exec('python3', [LINE_CHILD_SCRIPT]);
      const replies = child.data$.pipe(lines());
      const received: string[] = [];
      for (let i = 0; i < 50; i++) {
        const next = firstValueFrom(replies.pipe(take(1)));
        child.sink.next(utf8(`ping ${i}\n`));
        received.push(await next);
      }
      expect(received).toEqual(Array.from({ length: 50 }, (_, i) => reply(i + 1, `ping ${i}`)));
      child.sink.complete();
      expect((await collect(child.stderr!.data$)).toString()).toBe('bye 50\n');
      expect(await valueOf(child.exit$, 'python to exit')).toBe(0);
    });
  });
});
