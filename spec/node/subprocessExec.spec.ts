/**
 * subprocessExec with real children: a running child and its pipes, data through `cat` and
 * `sort`, SubprocessProtocol order, and a Python asyncio child speaking a line protocol.
 */
import { ChildProcess } from 'node:child_process';
import { firstValueFrom, from, lastValueFrom, take, toArray } from 'rxjs';
import { TransportClosedError } from '../../src/core/errors';
import { lines } from '../../src/operators/index';
import { python3Available } from '../fixtures/pythonPeer';
import { Hasher, patternBytes, sha256, utf8, writeChunked } from '../helpers/bytes';
import { MiB } from '../helpers/bytes';
import { thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { collect } from '../helpers/streams';
import { turns } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import {
  LINE_CHILD_SCRIPT,
  isAlive,
  recordingSubprocessProtocol,
  valueOf,
} from '../helpers/process';
import { trackedExec } from '../helpers/trackedExec';
import { useLeakCheck } from '../helpers/leaks';

describe('subprocessExec', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();
  const exec = trackedExec(resources);

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
