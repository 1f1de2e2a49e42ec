/**
 * Flow control between rxtransport and real children, both ways: a child that never reads its
 * stdin, a child that exits while we write, and a child writing 64 MiB while we pause its
 * stdout. Memory is measured in this process; the large payloads are made a chunk at a time.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { BrokenPipeError, TransportClosedError, subprocessExec } from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { Hasher, patternBytes, patternDigest } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { collect } from '../helpers/streams';
import { delay, waitFor, waitForStable } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import {
  PATTERN_WRITER_SCRIPT,
  isAlive,
  recordingSubprocessProtocol,
  signalZeroError,
  trackProcess,
  valueOf,
  writeObeyingFlowControl,
} from '../helpers/process';
import { useLeakCheck } from '../helpers/leaks';

describe('subprocessExec', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function exec(
    program: string,
    args: string[],
    options: Parameters<typeof subprocessExec>[2] = {},
  ): Promise<SubprocessTransport> {
    return trackProcess(resources, await subprocessExec(program, args, options));
  }

  describe('stdin of a child that never reads it (flow control)', () => {
    it('stops at the high water mark plus a chunk of 64 MiB offered, then close() kills the child', async () => {
      const total = 64 * MiB;
      const chunkSize = 64 * KiB;
      const high = MiB;
      const child = await exec('sleep', ['60']);
      const stdin = child.stdin!;
      stdin.setWriteBufferLimits(high);
      const chunk = patternBytes(chunkSize);
      const sizes: number[] = [];
      const before = process.memoryUsage();

      const result = await writeObeyingFlowControl(stdin, total, chunkSize, () => {
        sizes.push(stdin.getWriteBufferSize());
        return chunk;
      });
      const during = process.memoryUsage();

      // The buffer grew (the kernel took what it could, the rest stayed with us) until
      // writable$ said false, and the writer stopped there.
      expect(result.finished).toBe(false);
      expect(result.sawUnwritable).toBe(true);
      expect(Math.max(...sizes)).toBeGreaterThan(high / 2);
      expect(result.peakBuffer).toBeGreaterThan(high);
      expect(result.peakBuffer).toBeLessThanOrEqual(high + chunkSize);
      expect(stdin.getWriteBufferSize()).toBe(result.peakBuffer);
      expect(result.written).toBeLessThan(high + chunkSize + 4 * MiB);
      expect(during.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * MiB);
      expect(during.rss - before.rss).toBeLessThan(32 * MiB);
      // The child is blocked on nothing: it simply never reads.
      expect(child.getReturncode()).toBeNull();

      const pid = child.getPid();
      child.close();
      expect(await valueOf(child.exit$, 'the child to be killed')).toBe(-9);
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      // What was still buffered could never be delivered: a broken pipe, not a silent loss.
      const lost = await valueOf(stdin.closed$, 'stdin to be lost');
      expect(lost).toBeInstanceOf(BrokenPipeError);
      expect(stdin.getWriteBufferSize()).toBe(0);
      expect(signalZeroError(pid)?.code).toBe('ESRCH');
    });
  });

  describe('stdin of a child that exits while we write', () => {
    it('reports BrokenPipeError on closed$ of stdin, with nothing uncaught', async () => {
      const child = await exec('head', ['-c', '1000']);
      const stdin = child.stdin!;
      const output = collect(child.data$);
      // More than any pipe holds, so that data is still buffered when head exits.
      stdin.write(patternBytes(8 * MiB));
      expect(stdin.getWriteBufferSize()).toBeGreaterThan(4 * MiB);
      const chunk = patternBytes(64 * KiB);
      let written = 8 * MiB;
      while (!stdin.isClosing()) {
        stdin.write(chunk);
        written += chunk.byteLength;
        if (written > 512 * MiB) throw new Error('the broken pipe was never noticed');
        await delay(2);
      }
      const error = await valueOf(stdin.closed$, 'stdin to be lost');
      expect(error).toBeInstanceOf(BrokenPipeError);
      expect(error).toMatchObject({ name: 'BrokenPipeError', code: 'EPIPE' });
      expect(stdin.getWriteBufferSize()).toBe(0);
      expect(
        thrownBy(() => {
          stdin.write(chunk);
        }),
      ).toBeInstanceOf(TransportClosedError);
      expect((await output).byteLength).toBe(1000);
      expect(await valueOf(child.exit$, 'head to exit')).toBe(0);
      // The subprocess itself ends cleanly: only its stdin pipe broke.
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
    });

    it('hands the BrokenPipeError to pipeConnectionLost(0) and connectionLost gets null', async () => {
      const rec = recordingSubprocessProtocol();
      const child = await exec('head', ['-c', '10'], { protocol: () => rec.protocol });
      child.stdin!.write(patternBytes(8 * MiB));
      await rec.done;
      expect(rec.pipeErrors.get(0)).toBeInstanceOf(BrokenPipeError);
      expect(rec.pipeErrors.get(1)).toBeNull();
      expect(Buffer.concat(rec.received.get(1) ?? []).byteLength).toBe(10);
      expect(rec.lost).toEqual([null]);
      expect(rec.events.filter((e) => e === 'pause')).toHaveLength(1);
      expect(rec.events.at(-1)).toBe('lost');
    });
  });

  describe('stdout of a child writing 64 MiB while we pause reading', () => {
    it('blocks the child, keeps our memory small, and loses nothing on resume', async () => {
      const total = 64 * MiB;
      const expected = patternDigest(total);
      const child = await exec(process.execPath, ['-e', PATTERN_WRITER_SCRIPT, String(total)]);
      const stdout = child.stdout!;
      const received = new Hasher();
      let paused = false;
      let pausedOnce = false;
      let bytesWhilePaused = 0;
      const ended = new Promise<void>((resolve, reject) => {
        stdout.data$.subscribe({
          next: (chunk) => {
            received.update(chunk);
            if (paused) {
              bytesWhilePaused += chunk.byteLength;
            } else if (!pausedOnce && received.bytes >= MiB) {
              paused = true;
              pausedOnce = true;
              stdout.pauseReading();
            }
          },
          error: reject,
          complete: resolve,
        });
      });
      await waitFor(() => paused, 'the reader to pause');
      const before = process.memoryUsage();
      expect(stdout.isReading()).toBe(false);

      // The child's writes block: it is still running after a while, twice over.
      const atPause = received.bytes;
      for (let i = 0; i < 2; i++) {
        await delay(300);
        expect(child.getReturncode()).toBeNull();
        expect(isAlive(child.getPid())).toBe(true);
      }
      expect(bytesWhilePaused).toBe(0);
      expect(received.bytes).toBe(atPause);
      const during = process.memoryUsage();
      expect(during.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * MiB);
      expect(during.rss - before.rss).toBeLessThan(32 * MiB);

      paused = false;
      stdout.resumeReading();
      expect(stdout.isReading()).toBe(true);
      await ended;
      expect(received.bytes).toBe(total);
      expect(received.digest()).toBe(expected);
      expect(await valueOf(child.exit$, 'the writer to exit')).toBe(0);
    });
  });

  describe('stdin of a child that reads', () => {
    it('drains through writable$ and drain() while cat echoes, with every byte back', async () => {
      const total = 8 * MiB;
      const child = await exec('cat', []);
      const stdin = child.stdin!;
      const echoed = new Hasher();
      const done = new Promise<void>((resolve, reject) => {
        child.data$.subscribe({
          next: (c) => {
            echoed.update(c);
          },
          complete: resolve,
          error: reject,
        });
      });
      const payload = patternBytes(total);
      const result = await writeObeyingFlowControl(stdin, total, 256 * KiB, (offset, length) =>
        payload.subarray(offset, offset + length),
      );
      expect(result.finished).toBe(true);
      expect(result.peakBuffer).toBeLessThanOrEqual(64 * KiB + 256 * KiB);
      await stdin.drain();
      child.sink.complete();
      await done;
      expect(echoed.bytes).toBe(total);
      expect(echoed.digest()).toBe(patternDigest(total));
      expect(await lastValueFrom(child.exit$.pipe(toArray()))).toEqual([0]);
      expect(await waitForStable(() => stdin.getWriteBufferSize(), 'stdin buffer')).toBe(0);
    });
  });
});
