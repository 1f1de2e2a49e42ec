/**
 * Helpers for the pipe and subprocess specs: tracking children and pipe transports so that
 * every test leaves nothing running, liveness checks by pid, FIFOs in a temporary directory,
 * a recording SubprocessProtocol, and a flow-control-obeying writer.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, type Observable } from 'rxjs';
import { type SubprocessProtocol } from '../../src/index';
// src/index.ts does not re-export the pipe and subprocess transport types (yet).
import type {
  ReadPipeTransport,
  SubprocessTransport,
  WritePipeTransport,
  WriteTransport,
} from '../../src/core/transports';
import type { Resources } from './resources';
import { delay, turns } from './waits';

/** The Python asyncio line-protocol child (see the script's docstring). */
export const LINE_CHILD_SCRIPT = join(__dirname, '..', 'fixtures', 'asyncio_line_child.py');

/** Resolves with `promise`, or rejects naming `what` after `ms` milliseconds. */
export async function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`Timed out after ${ms} ms waiting for ${what}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first value of a (replaying) Observable, with a timeout naming `what`. */
export function valueOf<T>(source$: Observable<T>, what: string, ms = 10_000): Promise<T> {
  return within(firstValueFrom(source$), what, ms);
}

/** Whether a process with this pid exists (signal 0 reaches it, or it is not ours: EPERM). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What `process.kill(pid, 0)` throws, or null if it does not throw. */
export function signalZeroError(pid: number): NodeJS.ErrnoException | null {
  try {
    process.kill(pid, 0);
    return null;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/** Child processes and the pipes to them that this process holds (libuv handles). */
export function childHandleCount(): number {
  return process
    .getActiveResourcesInfo()
    .filter((name) => name === 'ProcessWrap' || name === 'PipeWrap').length;
}

/**
 * Tracks a subprocess transport: after the test it is closed (killing the child if it still
 * runs) and its `closed$` awaited, so that no child and no pipe outlives the test.
 */
export function trackProcess<T extends SubprocessTransport>(resources: Resources, child: T): T {
  resources.defer(async () => {
    child.close();
    await valueOf(child.closed$, `subprocess ${child.getPid()} to be lost after the test`);
    await turns(2);
  });
  return child;
}

/** Tracks a pipe transport: closed (a write pipe aborted) after the test, `closed$` awaited. */
export function trackPipe<T extends ReadPipeTransport | WritePipeTransport>(
  resources: Resources,
  pipe: T,
): T {
  resources.defer(async () => {
    if ('abort' in pipe) pipe.abort();
    else pipe.close();
    await valueOf(pipe.closed$, 'a pipe transport to be lost after the test');
    await turns(2);
  });
  return pipe;
}

/** A FIFO in a fresh temporary directory, removed (with any fd still open) after the test. */
export interface Fifo {
  readonly path: string;
  readonly dir: string;
  /** Opens the read end, non-blocking (so it does not wait for a writer). */
  openRead(): number;
  /** Opens the write end, non-blocking (a reader must already have it open). */
  openWrite(): number;
  /** Closes an fd this FIFO opened, unless a transport took it over (then it is forgotten). */
  closeFd(fd: number): void;
  /** A transport now owns `fd` and will close it: it is no longer closed after the test. */
  handOver(fd: number): number;
}

export function makeFifo(resources: Resources): Fifo {
  const dir = mkdtempSync(join(tmpdir(), 'rxt-fifo-'));
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const owned = new Set<number>();
  const open = (flags: number): number => {
    const fd = openSync(path, flags | constants.O_NONBLOCK);
    owned.add(fd);
    return fd;
  };
  resources.defer(() => {
    for (const fd of owned) closeSync(fd);
    owned.clear();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    path,
    dir,
    openRead: () => open(constants.O_RDONLY),
    openWrite: () => open(constants.O_WRONLY),
    closeFd: (fd) => {
      if (owned.delete(fd)) closeSync(fd);
    },
    handOver: (fd) => {
      owned.delete(fd);
      return fd;
    },
  };
}

/** Everything a SubprocessProtocol was told, in order. */
export interface SubprocessRecording {
  readonly protocol: SubprocessProtocol<SubprocessTransport>;
  /** `made`, `data1`, `data2`, `pipeLost0`..`pipeLost2`, `exited`, `lost`, `pause`, `resume`. */
  readonly events: string[];
  /** The bytes each fd delivered. */
  readonly received: Map<number, Uint8Array[]>;
  /** What each `pipeConnectionLost` was given. */
  readonly pipeErrors: Map<number, Error | null>;
  /** What `connectionLost` was given, each time it ran. */
  readonly lost: (Error | null)[];
  /** The return code `getReturncode()` gave inside `processExited`. */
  returncodeAtExit: number | null | undefined;
  /** The text received on `fd`. */
  text(fd: number): string;
  /** Resolves once `connectionLost` has run. */
  readonly done: Promise<void>;
}

/** A SubprocessProtocol that records its callbacks (data events are collapsed per run). */
export function recordingSubprocessProtocol(): SubprocessRecording {
  let transport: SubprocessTransport | null = null;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const recording: SubprocessRecording = {
    events: [],
    received: new Map(),
    pipeErrors: new Map(),
    lost: [],
    returncodeAtExit: undefined,
    text: (fd) => Buffer.concat(recording.received.get(fd) ?? []).toString(),
    done,
    protocol: {
      connectionMade: (t) => {
        transport = t;
        recording.events.push('made');
      },
      pipeDataReceived: (fd, data) => {
        const event = `data${fd}`;
        // Chunk boundaries are arbitrary: consecutive chunks of one fd count as one event.
        if (recording.events.at(-1) !== event) recording.events.push(event);
        const chunks = recording.received.get(fd) ?? [];
        chunks.push(data);
        recording.received.set(fd, chunks);
      },
      pipeConnectionLost: (fd, exc) => {
        recording.events.push(`pipeLost${fd}`);
        recording.pipeErrors.set(fd, exc);
      },
      processExited: () => {
        recording.events.push('exited');
        recording.returncodeAtExit = transport?.getReturncode();
      },
      connectionLost: (exc) => {
        recording.events.push('lost');
        recording.lost.push(exc);
        finish();
      },
      pauseWriting: () => recording.events.push('pause'),
      resumeWriting: () => recording.events.push('resume'),
    },
  };
  return recording;
}

/** What a flow-control-obeying writer did. */
export interface ObedientWrite {
  /** Bytes handed to `write()`. */
  readonly written: number;
  /** The largest `getWriteBufferSize()` seen right after a write. */
  readonly peakBuffer: number;
  /** Whether `writable$` emitted false. */
  readonly sawUnwritable: boolean;
  /** Whether all of `total` was written (false when it stopped on a stall). */
  readonly finished: boolean;
}

/**
 * Writes `total` bytes from `chunkAt(offset, length)` in `chunkSize` pieces, only while
 * `writable$` says true: when it turns false it waits for it to turn true again. It stops early
 * (finished: false) once the transport has not been writable for `stallMs` in a row, or when it
 * starts closing.
 */
export async function writeObeyingFlowControl(
  pipe: Pick<WriteTransport, 'write' | 'writable$' | 'isClosing' | 'getWriteBufferSize'>,
  total: number,
  chunkSize: number,
  chunkAt: (offset: number, length: number) => Uint8Array,
  stallMs = 300,
): Promise<ObedientWrite> {
  let writable = true;
  let sawUnwritable = false;
  const subscription = pipe.writable$.subscribe((value) => {
    writable = value;
    if (!value) sawUnwritable = true;
  });
  let written = 0;
  let peakBuffer = 0;
  try {
    while (written < total && !pipe.isClosing()) {
      if (!writable) {
        const since = Date.now();
        while (!writable && !pipe.isClosing() && Date.now() - since < stallMs) await delay(5);
        if (!writable) break;
        continue;
      }
      const length = Math.min(chunkSize, total - written);
      pipe.write(chunkAt(written, length));
      written += length;
      peakBuffer = Math.max(peakBuffer, pipe.getWriteBufferSize());
      // Let I/O run between writes, as a producer fed by events would.
      if (written % (16 * chunkSize) === 0) await turns(1);
    }
  } finally {
    subscription.unsubscribe();
  }
  return { written, peakBuffer, sawUnwritable, finished: written === total };
}

/**
 * A Node program (for `node -e`) writing `argv[1]` bytes of the pattern payload of
 * `patternChunk` (seed 1) to its stdout with blocking writes, as fast as the pipe takes them.
 */
export const PATTERN_WRITER_SCRIPT = `
const { createCipheriv } = require('node:crypto');
const { writeSync } = require('node:fs');
const total = Number(process.argv[1]);
const key = Buffer.alloc(16);
key.writeUInt32BE(1, 12);
const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
const chunk = 1 << 20;
for (let offset = 0; offset < total; offset += chunk) {
  const bytes = cipher.update(Buffer.alloc(Math.min(chunk, total - offset)));
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}
`;
