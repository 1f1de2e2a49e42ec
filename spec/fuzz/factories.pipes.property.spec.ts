/**
 * Bad input to the pipe factories, `connectReadPipe` and `connectWritePipe`: given fds and
 * streams of every kind (a fifo, a regular file, a directory, /dev/null, an unopened fd, Node
 * streams alive, destroyed or one-way) and arbitrary values, each call resolves (and what it
 * opened is closed again) or rejects with a `TransportError`, or a `TypeError`/`RangeError`
 * carrying a string `code`; it never hangs, never crashes the process, and leaves no handle open.
 *
 * Safety: fds are ones this file opened, or numbers that are no open fd of this process.
 */
import fc from 'fast-check';
import { closeSync, constants, fstatSync, openSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { connectReadPipe, connectWritePipe } from '../../src/index';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { turns } from '../helpers/waits';
import {
  NEAR_MISS_NUMBERS,
  anything,
  checkCall,
  collectExceptionReports,
  lookAlikes,
  oneOfValues,
  triedSummary,
} from './badInput';
import { NUM_RUNS, options, protocolFactories, useScratchDir } from './factories.helpers';

describe('factories given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  collectExceptionReports();
  const scratchDir = useScratchDir();

  afterAll(() => {
    console.log(`factories given bad input (pipes): ${triedSummary()}`);
  });

  describe('pipes', () => {
    type PipeKind =
      | 'fifo'
      | 'regular file fd'
      | 'directory fd'
      | '/dev/null fd'
      | 'unopened fd'
      | 'PassThrough'
      | 'destroyed PassThrough'
      | 'Readable of strings'
      | 'Writable only'
      | 'Readable only';
    const kinds: readonly PipeKind[] = [
      'fifo',
      'regular file fd',
      'directory fd',
      '/dev/null fd',
      'unopened fd',
      'PassThrough',
      'destroyed PassThrough',
      'Readable of strings',
      'Writable only',
      'Readable only',
    ];
    /**
     * Never a real descriptor number of this process: the transport would take it over and
     * close it (fd 0-2, jest's IPC channel, ...). Those are made by `materialize` instead.
     */
    const notAnOpenFd = (value: unknown): boolean =>
      typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 19_000;
    const pipeArg = fc.oneof(
      fc.constantFrom(...kinds).map((kind) => ({ kind })),
      oneOfValues([...NEAR_MISS_NUMBERS, ...lookAlikes()].filter(notAnOpenFd)).map((value) => ({
        value,
      })),
      anything()
        .filter(notAnOpenFd)
        .map((value) => ({ value })),
    );

    /**
     * Makes the pipe argument of `kind`. `cleanup()` closes each fd this opened that still
     * refers to what it opened (the transport closes an fd it took, even when it rejects later:
     * the fd number may then belong to something else, which must not be closed).
     */
    function materialize(
      kind: PipeKind,
      direction: 'read' | 'write',
    ): { value: unknown; cleanup: () => Promise<void> } {
      const dir = scratchDir();
      const opened: { fd: number; dev: number; ino: number }[] = [];
      const paths: string[] = [];
      const open = (path: string, flags: number): number => {
        const fd = openSync(path, flags);
        const { dev, ino } = fstatSync(fd);
        opened.push({ fd, dev, ino });
        return fd;
      };
      const cleanup = async (): Promise<void> => {
        // A handle released after a leak closes its fd in a later turn: let it.
        await turns(3);
        for (const { fd, dev, ino } of opened) {
          let same = false;
          try {
            const now = fstatSync(fd);
            same = now.dev === dev && now.ino === ino;
          } catch {
            // Closed already (EBADF).
          }
          if (same) closeSync(fd);
        }
        for (const path of paths) rmSync(path, { force: true });
      };
      switch (kind) {
        case 'fifo': {
          const fifo = join(dir, `fifo-${Math.random().toString(36).slice(2)}`);
          execFileSync('mkfifo', [fifo]);
          paths.push(fifo);
          const readFd = open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
          const fd =
            direction === 'read' ? readFd : open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
          return { value: fd, cleanup };
        }
        case 'regular file fd':
          return {
            value: open(join(dir, 'regular-pipe-file'), constants.O_RDWR | constants.O_CREAT),
            cleanup,
          };
        case 'directory fd':
          return { value: open(dir, constants.O_RDONLY), cleanup };
        case '/dev/null fd':
          return {
            value: open(
              '/dev/null',
              direction === 'read' ? constants.O_RDONLY : constants.O_WRONLY,
            ),
            cleanup,
          };
        case 'unopened fd':
          return { value: 19_999, cleanup };
        case 'PassThrough':
          return { value: new PassThrough(), cleanup };
        case 'destroyed PassThrough':
          return { value: new PassThrough().destroy(), cleanup };
        case 'Readable of strings':
          return { value: Readable.from(['a', 'b']), cleanup };
        case 'Writable only':
          return {
            value: new Writable({
              write: (_c, _e, cb) => {
                cb();
              },
            }),
            cleanup,
          };
        case 'Readable only':
          return { value: new Readable({ read: () => undefined }), cleanup };
      }
    }

    it.each(['read', 'write'] as const)('connect%sPipe', async (direction) => {
      const factory = direction === 'read' ? connectReadPipe : connectWritePipe;
      const arb = fc.tuple(
        pipeArg,
        fc.oneof(fc.constant(undefined), options({ protocol: protocolFactories() })),
      );
      await fc.assert(
        fc.asyncProperty(arb, async ([arg, opts]) => {
          const made =
            'kind' in arg ? materialize(arg.kind, direction) : { value: arg.value, cleanup: null };
          try {
            await checkCall(`connect${direction}Pipe`, () =>
              factory(made.value as never, opts as never),
            );
          } finally {
            await made.cleanup?.();
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
