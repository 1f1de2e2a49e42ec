/**
 * Faults: a child killed while we write to it, while it writes to us, and from outside while
 * both directions flow. The return code is `-signal`; a stdin that still held bytes is lost with
 * a typed `BrokenPipeError` (`EPIPE`), else cleanly; what we read is an exact prefix of what the
 * child wrote; `connectionLost` comes once, last; signals after it raise `ProcessLookupError`.
 * And the other way: closing stdin right after writing loses nothing.
 */
import { readFileSync } from 'node:fs';
import {
  BrokenPipeError,
  ProcessLookupError,
  TransportClosedError,
  subprocessExec,
  type SubprocessOptions,
} from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { Hasher, patternBytes, patternChunk, patternDigest, sha256 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { KiB, MiB } from '../helpers/bytes';
import { thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { collect } from '../helpers/streams';
import { delay, turns, waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import {
  PATTERN_WRITER_SCRIPT,
  isAlive,
  recordingSubprocessProtocol,
  trackProcess,
  valueOf,
  within,
} from '../helpers/process';
import { expectOSError, expectPrefix } from './faultHelpers';

/** The state letter of a process in /proc (R, S, T for stopped, ...). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** Expects how a child's stdin ended after the child died: clean, or a typed broken pipe. */
function expectStdinLoss(exc: Error | null): void {
  if (exc === null) return;
  expect(exc).toBeInstanceOf(BrokenPipeError);
  expect(exc).toHaveProperty('code', 'EPIPE');
}

describe('a subprocess that is killed', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  async function exec(
    program: string,
    args: string[] = [],
    options: SubprocessOptions = {},
  ): Promise<SubprocessTransport> {
    return trackProcess(resources, await subprocessExec(program, args, options));
  }

  /** Writes 64 KiB chunks to `child`'s stdin until it is closing; returns the bytes accepted. */
  async function writeUntilLost(child: SubprocessTransport, onWritten: (n: number) => void) {
    const stdin = child.stdin!;
    const chunk = patternBytes(64 * KiB);
    let written = 0;
    while (!stdin.isClosing()) {
      stdin.write(chunk);
      written += chunk.byteLength;
      onWritten(written);
      if (stdin.getWriteBufferSize() > MiB) await delay(1);
      else await turns(1);
      if (written > 1024 * MiB) throw new Error('the loss of stdin was never noticed');
    }
    return written;
  }

  it('while we write to it: exit -9, stdin lost cleanly or with BrokenPipeError, later writes refused', async () => {
    const child = await exec('cat', [], { stdout: 'devnull' });
    const pid = child.getPid();
    let killed = false;
    await writeUntilLost(child, (written) => {
      if (!killed && written >= 8 * MiB) {
        killed = true;
        child.kill();
      }
    });
    expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
    expect(child.getReturncode()).toBe(-9);
    expectStdinLoss(await valueOf(child.stdin!.closed$, 'stdin to be lost'));
    expect(child.stdin!.getWriteBufferSize()).toBe(0);
    const late = thrownBy(() => {
      child.stdin!.write(patternBytes(16));
    });
    expect(late).toBeInstanceOf(TransportClosedError);
    expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
    expect(isAlive(pid)).toBe(false);
    const lookup = thrownBy(() => {
      child.kill();
    });
    expect(lookup).toBeInstanceOf(ProcessLookupError);
    expectOSError(lookup, ['ESRCH'], { fromPlatform: false });
  });

  it('while we write to it: the protocol hears pipe 0 lost, the exit, then connectionLost once', async () => {
    const rec = recordingSubprocessProtocol();
    // A child that never reads its stdin: what the pipe (a socket pair, whose kernel buffer is
    // finite) does not take stays in the transport's buffer until the kill, however fast the
    // machine. A child that reads (cat) may take any amount during the burst, which is why the
    // first test accepts either kind of loss.
    const child = await exec('sleep', ['60'], { stdout: 'devnull', protocol: () => rec.protocol });
    const chunk = patternBytes(256 * KiB);
    for (let i = 0; i < 64; i++) child.stdin!.write(chunk);
    expect(child.stdin!.getWriteBufferSize()).toBeGreaterThan(0);
    child.kill();
    await within(rec.done, 'connectionLost');
    await turns(5);
    expect(rec.lost).toEqual([null]);
    expect(rec.returncodeAtExit).toBe(-9);
    const pipe0 = rec.pipeErrors.get(0) ?? null;
    expectStdinLoss(pipe0);
    expect(pipe0).not.toBeNull();
    expect(rec.pipeErrors.get(2)).toBeNull();
    expect(rec.events.filter((e) => e === 'lost')).toHaveLength(1);
    expect(rec.events.at(-1)).toBe('lost');
    expect(rec.events.indexOf('exited')).toBeGreaterThan(0);
    expect(rec.events.indexOf('pipeLost0')).toBeGreaterThan(0);
  });

  it('while it writes to us: exit -15, data$ completes with an exact prefix of its output', async () => {
    const child = await exec(process.execPath, ['-e', PATTERN_WRITER_SCRIPT, String(1024 * MiB)]);
    const received = new Hasher();
    const chunks: Uint8Array[] = [];
    let terminated = false;
    const ended = new Promise<void>((resolve, reject) => {
      child.data$.subscribe({
        next: (chunk) => {
          received.update(chunk);
          if (chunks.length < 64) chunks.push(chunk);
          if (!terminated && received.bytes >= 4 * MiB) {
            terminated = true;
            child.terminate();
          }
        },
        error: reject,
        complete: resolve,
      });
    });
    await valueOf(child.exit$, 'the exit', 20_000);
    await ended;
    expect(child.getReturncode()).toBe(-15);
    expect(received.bytes).toBeGreaterThanOrEqual(4 * MiB);
    expect(received.bytes).toBeLessThan(1024 * MiB);
    expect(received.digest()).toBe(patternDigest(received.bytes));
    expectPrefix(Buffer.concat(chunks), patternChunk(0, 64 * MiB));
    expect(await valueOf(child.stdout!.closed$, 'stdout to close')).toBeNull();
    expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
  });

  it('from outside, while both directions flow: every byte cat echoed is a prefix of what we sent', async () => {
    const child = await exec('cat');
    const pid = child.getPid();
    const echoed = collect(child.data$);
    const closedCount = { n: 0 };
    child.closed$.subscribe(() => (closedCount.n += 1));
    const payload = patternBytes(64 * MiB);
    let offset = 0;
    let killed = false;
    while (!child.stdin!.isClosing() && offset < payload.byteLength) {
      child.stdin!.write(payload.subarray(offset, offset + 64 * KiB));
      offset += 64 * KiB;
      if (!killed && offset >= 4 * MiB) {
        killed = true;
        process.kill(pid, 'SIGKILL');
      }
      await turns(1);
    }
    expect(killed).toBe(true);
    expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
    expectStdinLoss(await valueOf(child.stdin!.closed$, 'stdin to be lost'));
    const out = await echoed;
    expectPrefix(out, payload);
    expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
    await turns(5);
    expect(closedCount.n).toBe(1);
  });

  it('close() while both directions flow kills it; exit -9, nothing reported', async () => {
    const child = await exec('cat');
    const echoed = collect(child.data$);
    child.stdin!.write(patternBytes(16 * MiB));
    await waitFor(() => child.stdin!.getWriteBufferSize() < 16 * MiB, 'cat to start reading');
    child.close();
    expect(child.isClosing()).toBe(true);
    expect(await valueOf(child.exit$, 'the exit')).toBe(-9);
    expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
    expectPrefix(await echoed, patternBytes(16 * MiB));
    expect(isAlive(child.getPid())).toBe(false);
  });

  describe('and the other way round', () => {
    it.each(['close', 'writeEof'] as const)(
      '%s() of stdin right after writing 8 MiB: the child reads every byte',
      async (method) => {
        const payload = patternBytes(8 * MiB);
        // The child stops itself before it reads anything, so that stdin surely still holds
        // bytes at the close (a reader running meanwhile may take any amount of a burst).
        const child = await exec('sh', ['-c', 'kill -STOP $$; exec sha256sum']);
        await waitFor(() => processState(child.getPid()) === 'T', 'the child to stop');
        const output = collect(child.data$);
        child.stdin!.write(payload);
        expect(child.stdin!.getWriteBufferSize()).toBeGreaterThan(0);
        child.stdin![method]();
        process.kill(child.getPid(), 'SIGCONT');
        expect((await output).toString().split(' ')[0]).toBe(sha256(payload));
        expect(await valueOf(child.stdin!.closed$, 'stdin to close')).toBeNull();
        expect(await valueOf(child.exit$, 'the exit')).toBe(0);
      },
    );
  });
});
