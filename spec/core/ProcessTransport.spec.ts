/**
 * The platform-free subprocess transport over a scripted ProcessHandle: asyncio's callback
 * order [X4, X5], return codes and signals [X6, X7], close [X8, X9], child transports and the
 * Rx surfaces.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { ProcessTransport } from '../../src/core/ProcessTransport';
import { TransportClosedError } from '../../src/core/errors';
import { setExceptionHandler, type ExceptionContext } from '../../src/core/exceptionHandler';
import {
  BrokenPipeError,
  ProcessLookupError,
  TransportOSError,
  osError,
} from '../../src/core/osErrors';
import type { ProcessHandle } from '../../src/core/processHandle';
import type { ProcessOutput } from '../../src/core/transports';
import { FakeStreamHandle, bytes, turn } from '../helpers/FakeStreamHandle';
import { recordingSubprocessProtocol, type SubprocessRecording } from '../helpers/process';

/** A scripted child: the test decides when it exits; signals are recorded. */
class FakeProcessHandle implements ProcessHandle {
  readonly pid = 4242;
  readonly stdio: readonly [
    FakeStreamHandle | null,
    FakeStreamHandle | null,
    FakeStreamHandle | null,
  ];
  readonly extraInfo: Readonly<Record<string, unknown>> = { subprocess: { fake: 'popen' } };
  readonly signals: (number | string)[] = [];
  /** Once true, `signal()` throws ProcessLookupError as a vanished child does. */
  gone = false;
  private exitCode: number | null = null;
  private listener: ((returncode: number) => void) | null = null;

  constructor(piped: readonly [boolean, boolean, boolean] = [true, true, true]) {
    const make = (on: boolean): FakeStreamHandle | null => (on ? new FakeStreamHandle() : null);
    this.stdio = [make(piped[0]), make(piped[1]), make(piped[2])];
    // Read pipes cannot send EOF.
    for (const handle of this.stdio.slice(1)) if (handle) handle.canShutdown = false;
  }

  get stdin(): FakeStreamHandle {
    return this.stdio[0]!;
  }
  get stdout(): FakeStreamHandle {
    return this.stdio[1]!;
  }
  get stderr(): FakeStreamHandle {
    return this.stdio[2]!;
  }

  onExit(onExit: (returncode: number) => void): void {
    if (this.exitCode !== null) onExit(this.exitCode);
    else this.listener = onExit;
  }

  signal(signal: number | string): void {
    if (this.gone) throw osError('ESRCH', 'kill ESRCH', { syscall: 'kill' });
    this.signals.push(signal);
  }

  /** The child exits (and is reaped) with `returncode`. */
  exit(returncode: number): void {
    this.exitCode = returncode;
    this.gone = true;
    this.listener?.(returncode);
  }

  /** Every read pipe reaches EOF. */
  eofAll(): void {
    this.stdio[1]?.receiveEof();
    this.stdio[2]?.receiveEof();
  }
}

interface Opened {
  handle: FakeProcessHandle;
  transport: ProcessTransport;
  rec: SubprocessRecording;
}

async function open(
  piped: readonly [boolean, boolean, boolean] = [true, true, true],
  { withProtocol = true, exitFirst }: { withProtocol?: boolean; exitFirst?: number } = {},
): Promise<Opened> {
  const handle = new FakeProcessHandle(piped);
  if (exitFirst !== undefined) handle.exit(exitFirst);
  const rec = recordingSubprocessProtocol();
  const transport = new ProcessTransport(handle, {
    protocol: withProtocol ? rec.protocol : undefined,
  });
  await transport.ready;
  await turn();
  return { handle, transport, rec };
}

/** Ends the child: every read pipe at EOF, then the exit. */
async function finish(handle: FakeProcessHandle, returncode = 0): Promise<void> {
  handle.eofAll();
  handle.exit(returncode);
  await turn(4);
}

describe('ProcessTransport', () => {
  let reported: ExceptionContext[];
  beforeEach(() => {
    reported = [];
    setExceptionHandler((context) => reported.push(context));
  });
  afterEach(() => {
    setExceptionHandler(null);
  });

  describe('SubprocessProtocol callbacks', () => {
    it('delivers connectionMade on a later turn, before anything else', async () => {
      const handle = new FakeProcessHandle();
      const rec = recordingSubprocessProtocol();
      const transport = new ProcessTransport(handle, { protocol: rec.protocol });
      expect(rec.events).toEqual([]);
      await transport.ready;
      expect(rec.events).toEqual(['made']);
      await turn();
      expect(handle.stdout.reading).toBe(true);
      expect(handle.stderr.reading).toBe(true);
    });

    it('delivers pipeDataReceived with the fd of each pipe, in arrival order', async () => {
      const { handle, rec } = await open();
      handle.stdout.receive('out1 ');
      handle.stderr.receive('err');
      handle.stdout.receive('out2');
      expect(rec.events).toEqual(['made', 'data1', 'data2', 'data1']);
      expect(rec.text(1)).toBe('out1 out2');
      expect(rec.text(2)).toBe('err');
    });

    it('delivers connectionLost once, after the exit and the last pipe (exit first)', async () => {
      const { handle, transport, rec } = await open();
      handle.stdout.receive('x');
      handle.exit(0);
      expect(transport.getReturncode()).toBe(0);
      await turn(4);
      // The exit closes stdin (its reader is gone) but stdout and stderr stay open.
      expect(rec.events).toEqual(['made', 'data1', 'pipeLost0', 'exited']);
      handle.stdout.receiveEof();
      await turn(4);
      expect(rec.events).not.toContain('lost');
      handle.stderr.receiveEof();
      await turn(4);
      expect(rec.events).toEqual([
        'made',
        'data1',
        'pipeLost0',
        'exited',
        'pipeLost1',
        'pipeLost2',
        'lost',
      ]);
      expect(rec.lost).toEqual([null]);
      await turn(4);
      expect(rec.lost).toHaveLength(1);
    });

    it('delivers connectionLost once, after the exit, when every pipe closed first', async () => {
      const { handle, transport, rec } = await open();
      handle.eofAll();
      transport.stdin!.close();
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost1', 'pipeLost2', 'pipeLost0']);
      handle.exit(3);
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost1', 'pipeLost2', 'pipeLost0', 'exited', 'lost']);
      expect(rec.returncodeAtExit).toBe(3);
      expect(rec.lost).toEqual([null]);
    });

    it('delivers processExited after connectionMade for a child that exited before', async () => {
      const { handle, rec } = await open([true, true, true], { exitFirst: 0 });
      expect(rec.events[0]).toBe('made');
      expect(rec.events).toContain('exited');
      handle.eofAll();
      await turn(4);
      expect(rec.events.at(-1)).toBe('lost');
      expect(rec.events.filter((e) => e === 'lost')).toHaveLength(1);
    });

    it('hands a pipe error to pipeConnectionLost, and connectionLost still gets null', async () => {
      const { handle, rec } = await open();
      const error = osError('EIO', 'read EIO', { syscall: 'read' });
      handle.stdout.fail(error);
      await finish(handle);
      expect(rec.pipeErrors.get(1)).toBe(error);
      expect(rec.pipeErrors.get(2)).toBeNull();
      expect(rec.lost).toEqual([null]);
      expect(reported).toEqual([]);
    });

    it('waits for connectionLost while a pipe stays open after the exit (a grandchild holds it)', async () => {
      const { handle, rec } = await open();
      handle.exit(0);
      handle.stderr.receiveEof();
      await turn(6);
      expect(rec.events).toEqual(['made', 'pipeLost0', 'pipeLost2', 'exited']);
      handle.stdout.receive('late');
      expect(rec.events.at(-1)).toBe('data1');
      handle.stdout.receiveEof();
      await turn(4);
      expect(rec.events.slice(-2)).toEqual(['pipeLost1', 'lost']);
    });

    it('reports what the callbacks throw and goes on in order', async () => {
      const rec = recordingSubprocessProtocol();
      const boom = (name: string) => () => {
        throw new Error(name);
      };
      const handle = new FakeProcessHandle();
      const transport = new ProcessTransport(handle, {
        protocol: {
          ...rec.protocol,
          pipeDataReceived: boom('data'),
          processExited: boom('exited'),
          pipeConnectionLost: boom('pipeLost'),
        },
      });
      await transport.ready;
      await turn();
      handle.stdout.receive('x');
      expect(handle.stdout.closes).toBe(0);
      await finish(handle);
      expect(rec.lost).toEqual([null]);
      expect(reported.map((r) => r.message)).toEqual([
        'Exception in protocol.pipeDataReceived()',
        'Exception in protocol.pipeConnectionLost()',
        'Exception in protocol.pipeConnectionLost()',
        'Exception in protocol.pipeConnectionLost()',
        'Exception in protocol.processExited()',
      ]);
    });

    it('forwards pauseWriting and resumeWriting of stdin', async () => {
      const { handle, transport, rec } = await open();
      transport.stdin!.setWriteBufferLimits(4);
      transport.stdin!.write(bytes('0123456789'));
      expect(rec.events).toEqual(['made', 'pause']);
      handle.stdin.completeWrite();
      expect(rec.events).toEqual(['made', 'pause', 'resume']);
    });
  });

  describe('getReturncode', () => {
    it('is null until the exit is seen, then the code, before processExited runs', async () => {
      const { handle, transport, rec } = await open();
      expect(transport.getReturncode()).toBeNull();
      handle.exit(-9);
      expect(transport.getReturncode()).toBe(-9);
      expect(rec.events).not.toContain('exited');
      await turn(4);
      expect(rec.returncodeAtExit).toBe(-9);
    });
  });

  describe('exit$', () => {
    it('emits the return code once, replays it and completes', async () => {
      const { handle, transport } = await open([false, false, false], { withProtocol: false });
      const early = lastValueFrom(transport.exit$.pipe(toArray()));
      handle.exit(7);
      await turn(4);
      expect(await early).toEqual([7]);
      expect(await lastValueFrom(transport.exit$.pipe(toArray()))).toEqual([7]);
    });
  });

  describe('closed$', () => {
    it('emits null once the transport is lost, and replays it', async () => {
      const opened = await open();
      const values: (Error | null)[] = [];
      opened.transport.closed$.subscribe((v) => values.push(v));
      await finish(opened.handle);
      expect(values).toEqual([null]);
      expect(await lastValueFrom(opened.transport.closed$.pipe(toArray()))).toEqual([null]);
    });
  });

  describe('sendSignal', () => {
    it('sends signals by name or number to a running child', async () => {
      const { handle, transport } = await open();
      transport.sendSignal('SIGUSR1');
      transport.sendSignal(15);
      transport.terminate();
      transport.kill();
      expect(handle.signals).toEqual(['SIGUSR1', 15, 'SIGTERM', 'SIGKILL']);
    });

    it('is a silent no-op between the exit and connectionLost', async () => {
      const { handle, transport, rec } = await open();
      handle.exit(0);
      await turn(4);
      expect(rec.events).toContain('exited');
      expect(rec.events).not.toContain('lost');
      expect(() => {
        transport.sendSignal('SIGTERM');
        transport.terminate();
        transport.kill();
      }).not.toThrow();
      expect(handle.signals).toEqual([]);
    });

    it('throws ProcessLookupError ESRCH once the transport has finished', async () => {
      const opened = await open();
      await finish(opened.handle);
      const { transport } = opened;
      for (const call of [
        () => {
          transport.sendSignal('SIGTERM');
        },
        () => {
          transport.terminate();
        },
        () => {
          transport.kill();
        },
      ]) {
        let thrown: unknown;
        try {
          call();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(ProcessLookupError);
        expect(thrown).toBeInstanceOf(TransportOSError);
        expect(thrown).toMatchObject({ name: 'ProcessLookupError', code: 'ESRCH' });
      }
      expect(opened.handle.signals).toEqual([]);
    });
  });

  describe('close', () => {
    it('closes the pipes and kills a running child; connectionLost follows the exit', async () => {
      const { handle, transport, rec } = await open();
      transport.close();
      transport.close();
      expect(transport.isClosing()).toBe(true);
      expect(handle.signals).toEqual(['SIGKILL']);
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost0', 'pipeLost1', 'pipeLost2']);
      handle.exit(-9);
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost0', 'pipeLost1', 'pipeLost2', 'exited', 'lost']);
      expect(transport.getReturncode()).toBe(-9);
      expect(rec.lost).toEqual([null]);
    });

    it('does not signal a child that has exited', async () => {
      const { handle, transport, rec } = await open();
      handle.exit(0);
      transport.close();
      await turn(4);
      expect(handle.signals).toEqual([]);
      expect(rec.events.at(-1)).toBe('lost');
    });

    it('ignores ProcessLookupError from a child that vanished unseen', async () => {
      const { handle, transport } = await open();
      handle.gone = true;
      expect(() => {
        transport.close();
      }).not.toThrow();
      expect(reported).toEqual([]);
    });

    it('flushes stdin first; a child killed meanwhile makes it a BrokenPipeError', async () => {
      const { handle, transport, rec } = await open();
      transport.stdin!.write(bytes('pending'));
      transport.close();
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost1', 'pipeLost2']);
      handle.exit(-9);
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost1', 'pipeLost2', 'pipeLost0', 'exited', 'lost']);
      expect(rec.pipeErrors.get(0)).toBeInstanceOf(BrokenPipeError);
      expect(rec.pipeErrors.get(0)).toMatchObject({ code: 'EPIPE' });
      expect(rec.lost).toEqual([null]);
    });
  });

  describe('isClosing', () => {
    it('stays false after the exit and connectionLost, until close() [X9]', async () => {
      const opened = await open();
      await finish(opened.handle);
      expect(opened.rec.events.at(-1)).toBe('lost');
      expect(opened.transport.isClosing()).toBe(false);
      opened.transport.close();
      expect(opened.transport.isClosing()).toBe(true);
      expect(opened.handle.signals).toEqual([]);
    });
  });

  describe('getPipeTransport', () => {
    it('returns the child transports of fds 0, 1 and 2', async () => {
      const { transport } = await open();
      expect(transport.getPipeTransport(0)).toBe(transport.stdin);
      expect(transport.getPipeTransport(1)).toBe(transport.stdout);
      expect(transport.getPipeTransport(2)).toBe(transport.stderr);
      expect(transport.stdin).not.toBeNull();
      expect(transport.stdout).not.toBe(transport.stderr);
    });

    it('returns null for a descriptor that is not piped', async () => {
      const { transport } = await open([false, true, false]);
      expect(transport.getPipeTransport(0)).toBeNull();
      expect(transport.getPipeTransport(1)).not.toBeNull();
      expect(transport.getPipeTransport(2)).toBeNull();
    });

    it('throws RangeError ERR_OUT_OF_RANGE for fd 3 and TypeError for a non-number', async () => {
      const { transport } = await open();
      expect(() => transport.getPipeTransport(3)).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
      expect(() => transport.getPipeTransport('1' as unknown as number)).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    });
  });

  describe('getPid / getExtraInfo', () => {
    it('gives the pid and the handle extra info, or the default', async () => {
      const { transport } = await open();
      expect(transport.getPid()).toBe(4242);
      expect(transport.getExtraInfo('subprocess')).toEqual({ fake: 'popen' });
      expect(transport.getExtraInfo('peername', 'none')).toBe('none');
    });
  });

  describe('setProtocol', () => {
    it('sends later events to the new protocol', async () => {
      const { handle, transport, rec } = await open();
      const next = recordingSubprocessProtocol();
      transport.setProtocol(next.protocol);
      expect(transport.getProtocol()).toBe(next.protocol);
      handle.stdout.receive('to next');
      await finish(handle);
      expect(rec.events).toEqual(['made']);
      expect(next.text(1)).toBe('to next');
      expect(next.events).toContain('exited');
      expect(next.events.at(-1)).toBe('lost');
    });

    it('sends pipe data to a protocol set on a transport created without one', async () => {
      const { handle, transport } = await open([true, true, true], { withProtocol: false });
      const next = recordingSubprocessProtocol();
      transport.setProtocol(next.protocol);
      handle.stdout.receive('hello');
      handle.stderr.receive('oops');
      await finish(handle);
      // asyncio's pipe protocols always forward to the transport's current protocol.
      expect(next.text(1)).toBe('hello');
      expect(next.text(2)).toBe('oops');
      expect(next.events.at(-1)).toBe('lost');
    });

    it('refuses a non-object with TypeError ERR_INVALID_ARG_TYPE', async () => {
      const { transport } = await open();
      expect(() => {
        transport.setProtocol(null as never);
      }).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
    });
  });

  describe('Rx surfaces', () => {
    it('reads stdout through data$, tags output$ by fd and writes stdin through sink', async () => {
      const opened = await open([true, true, true], { withProtocol: false });
      const { handle, transport } = opened;
      const data = lastValueFrom(transport.data$.pipe(toArray()));
      const output = lastValueFrom(transport.output$.pipe(toArray()));
      handle.stdout.receive('out');
      handle.stderr.receive('err');
      handle.stdin.acceptAtOnce = true;
      transport.sink.next(bytes('in'));
      transport.sink.complete();
      expect(handle.stdin.text()).toBe('in');
      await finish(opened.handle);
      expect(Buffer.concat(await data).toString()).toBe('out');
      const tagged = (await output).map(({ fd, data: d }: ProcessOutput) => [
        fd,
        Buffer.from(d).toString(),
      ]);
      expect(tagged).toEqual([
        [1, 'out'],
        [2, 'err'],
      ]);
      expect(transport.stdin!.isClosing()).toBe(true);
    });

    it('completes data$ and output$ at once when nothing is piped', async () => {
      const { transport } = await open([false, false, false], { withProtocol: false });
      expect(await lastValueFrom(transport.data$.pipe(toArray()))).toEqual([]);
      expect(await lastValueFrom(transport.output$.pipe(toArray()))).toEqual([]);
    });

    it('refuses sink writes when stdin is not piped, reporting TransportClosedError', async () => {
      const { transport } = await open([false, true, true], { withProtocol: false });
      transport.sink.next(bytes('nowhere'));
      expect(reported).toHaveLength(1);
      expect(reported[0]!.exception).toBeInstanceOf(TransportClosedError);
      expect(reported[0]!.transport).toBe(transport);
    });
  });
});
