import { EMPTY, ReplaySubject, map, merge, type Observable, type Observer } from 'rxjs';
import { invalidArgType, outOfRange } from './argErrors.js';
import { checkProtocol, extraInfoValue } from './validate.js';
import { defaultCallSoon, type CallSoon } from './callSoon.js';
import { announceConnection } from './announceConnection.js';
import { LossSchedule } from './LossSchedule.js';
import { TransportClosedError } from './errors.js';
import { callReporting, reportException } from './exceptionHandler.js';
import { osError } from './osErrors.js';
import { forwardingPipeProtocol } from './pipeForwarding.js';
import type { Address } from './address.js';
import type { ProcessHandle } from './processHandle.js';
import type { SubprocessProtocol } from './protocols.js';
import { StreamTransport } from './StreamTransport.js';
import type {
  ProcessOutput,
  ReadPipeTransport,
  SubprocessTransport,
  WritePipeTransport,
} from './transports.js';

/** Options of a {@link ProcessTransport}. @internal */
export interface ProcessTransportOptions {
  readonly protocol?: SubprocessProtocol<SubprocessTransport> | undefined;
  readonly callSoon?: CallSoon | undefined;
  /** When the pipes' gathered small writes go out (virtual time in marble tests). */
  readonly flushSoon?: CallSoon | undefined;
}

/** A sink for a child whose stdin is not piped: every call is refused, and reported. */
function refusingSink(transport: SubprocessTransport): Observer<Uint8Array> {
  const refuse = (): void => {
    reportException({
      message: 'sink call refused: the subprocess has no piped stdin',
      exception: new TransportClosedError('The subprocess stdin is not piped'),
      transport,
    });
  };
  return { next: refuse, error: refuse, complete: () => undefined };
}

/**
 * The subprocess transport state machine (asyncio `BaseSubprocessTransport`), over any
 * {@link ProcessHandle}. `connectionMade` comes first, then pipe events; `connectionLost(null)`
 * comes once, after the child exited and every pipe was lost [X4, X5].
 * @internal
 */
export class ProcessTransport implements SubprocessTransport {
  private protocol: SubprocessProtocol<SubprocessTransport>;
  private readonly callSoon: CallSoon;
  private readonly exit = new ReplaySubject<number>(1);
  private readonly lost$ = new ReplaySubject<Error | null>(1);
  private returncode: number | null = null;
  private closing = false;
  private exitReported = false;
  /** Whether `connectionMade` ran; until then an exit waits in `afterMade`. */
  private made = false;
  private afterMade: (() => void) | null = null;
  private readonly loss: LossSchedule;
  /** Whether the pipes forward their events to `protocol` (else they feed their Rx surfaces). */
  private forwarding: boolean;
  private openPipes = 0;

  private readonly stdinTransport: StreamTransport | null;
  readonly stdin: WritePipeTransport | null;
  readonly stdout: ReadPipeTransport | null;
  readonly stderr: ReadPipeTransport | null;
  readonly sink: Observer<Uint8Array>;
  readonly data$: Observable<Uint8Array>;
  readonly output$: Observable<ProcessOutput>;
  readonly exit$: Observable<number> = this.exit.asObservable();
  readonly closed$: Observable<Error | null> = this.lost$.asObservable();
  /** Resolves once `connectionMade` has run. @internal */
  readonly ready: Promise<void>;

  constructor(
    private readonly handle: ProcessHandle,
    options: ProcessTransportOptions = {},
  ) {
    this.callSoon = options.callSoon ?? defaultCallSoon;
    this.loss = new LossSchedule(this.callSoon, () => {
      callReporting(
        'Exception in protocol.connectionLost()',
        () => this.protocol.connectionLost?.(null),
        {
          transport: this,
          protocol: this.protocol,
        },
      );
      this.lost$.next(null);
      this.lost$.complete();
    });
    this.protocol = options.protocol ?? {};
    const userProtocol = options.protocol !== undefined;
    this.forwarding = userProtocol;
    // connectionMade is scheduled before the pipes' own callbacks, so it comes first [X4].
    this.ready = announceConnection<SubprocessTransport>(
      this.callSoon,
      this,
      () => this.protocol,
      () => {
        this.made = true;
        this.afterMade?.();
        this.afterMade = null;
      },
    );
    const [h0, h1, h2] = handle.stdio;
    const pipe = (fd: 0 | 1 | 2, kind: 'read' | 'write', h: typeof h0): StreamTransport | null => {
      if (!h) return null;
      const transport = new StreamTransport(h, {
        pipe: kind,
        callSoon: this.callSoon,
        flushSoon: options.flushSoon,
        protocol: userProtocol ? forwardingPipeProtocol(fd, () => this.protocol) : undefined,
      });
      this.openPipes += 1;
      transport.closed$.subscribe((exc) => {
        this.pipeLost(fd, exc);
      });
      return transport;
    };
    const stdin = pipe(0, 'write', h0);
    const stdout = pipe(1, 'read', h1);
    const stderr = pipe(2, 'read', h2);
    this.stdinTransport = stdin;
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.sink = stdin ? stdin.sink : refusingSink(this);
    this.data$ = stdout ? stdout.data$ : EMPTY;
    this.output$ = merge(
      stdout ? stdout.data$.pipe(map((data): ProcessOutput => ({ fd: 1, data }))) : EMPTY,
      stderr ? stderr.data$.pipe(map((data): ProcessOutput => ({ fd: 2, data }))) : EMPTY,
    );
    handle.onExit((returncode) => {
      this.exited(returncode);
    });
  }

  getPid(): number {
    return this.handle.pid;
  }

  getPipeTransport(fd: 0): WritePipeTransport | null;
  getPipeTransport(fd: 1 | 2): ReadPipeTransport | null;
  getPipeTransport(fd: number): WritePipeTransport | ReadPipeTransport | null;
  getPipeTransport(fd: number): WritePipeTransport | ReadPipeTransport | null {
    if (typeof fd !== 'number') throw invalidArgType('fd', 'of type number', fd);
    switch (fd) {
      case 0:
        return this.stdin;
      case 1:
        return this.stdout;
      case 2:
        return this.stderr;
      default:
        throw outOfRange('fd', '0, 1 or 2', fd);
    }
  }

  getReturncode(): number | null {
    return this.returncode;
  }

  sendSignal(signal: number | string): void {
    if (this.loss.delivered)
      throw osError('ESRCH', 'The subprocess transport has finished', { syscall: 'kill' });
    // Once the exit is known, signals are silent no-ops (the pid may be reused) [X7].
    if (this.returncode !== null) return;
    this.handle.signal(signal);
  }

  terminate(): void {
    this.sendSignal('SIGTERM');
  }

  kill(): void {
    this.sendSignal('SIGKILL');
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    for (const pipe of [this.stdin, this.stdout, this.stderr]) pipe?.close();
    if (this.returncode === null && !this.loss.delivered) {
      try {
        this.handle.signal('SIGKILL');
      } catch {
        // Already gone: asyncio ignores ProcessLookupError here [X8].
      }
    }
  }

  isClosing(): boolean {
    return this.closing;
  }

  getExtraInfo(name: 'peername' | 'sockname'): Address | undefined;
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return extraInfoValue(this.handle.extraInfo, name, defaultValue);
  }

  setProtocol(protocol: SubprocessProtocol<SubprocessTransport>): void {
    checkProtocol(protocol, 'protocol');
    this.protocol = protocol;
    // Pipes that fed their Rx surfaces now forward to the protocol, as asyncio's always do.
    if (!this.forwarding) {
      this.forwarding = true;
      const pipes = [this.stdinTransport, this.stdout, this.stderr] as const;
      pipes.forEach((pipe, fd) => {
        pipe?.setProtocol(forwardingPipeProtocol(fd as 0 | 1 | 2, () => this.protocol));
      });
    }
  }

  getProtocol(): SubprocessProtocol<SubprocessTransport> {
    return this.protocol;
  }

  private pipeLost(fd: 0 | 1 | 2, exc: Error | null): void {
    this.openPipes -= 1;
    callReporting(
      'Exception in protocol.pipeConnectionLost()',
      () => this.protocol.pipeConnectionLost?.(fd, exc),
      {
        transport: this,
        protocol: this.protocol,
      },
    );
    this.maybeLost();
  }

  private exited(returncode: number): void {
    if (this.returncode !== null) return;
    this.returncode = returncode;
    // Node notices a vanished reader only when a write fails [N9]; asyncio watches the pipe
    // [P7]. The child is gone, so its stdin has no reader (a grandchild holding it aside).
    this.stdinTransport?.readerGone();
    // After connectionMade, never from inside the adapter's callback. Not through `ready`: a
    // promise would leave the virtual time of a marble test.
    const report = (): void => {
      this.callSoon(() => {
        callReporting(
          'Exception in protocol.processExited()',
          () => this.protocol.processExited?.(),
          {
            transport: this,
            protocol: this.protocol,
          },
        );
        this.exitReported = true;
        this.exit.next(returncode);
        this.exit.complete();
        this.maybeLost();
      });
    };
    if (this.made) report();
    else this.afterMade = report;
  }

  /** connectionLost comes once the exit was reported and every pipe was lost [X5]. */
  private maybeLost(): void {
    if (this.openPipes > 0 || !this.exitReported) return;
    this.loss.schedule(null);
  }
}
