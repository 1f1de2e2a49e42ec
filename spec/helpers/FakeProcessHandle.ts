import { ProcessTransport } from '../../src/core/ProcessTransport';
import { osError } from '../../src/core/osErrors';
import type { ProcessHandle } from '../../src/core/processHandle';
import { FakeStreamHandle, turn } from './FakeStreamHandle';
import { recordingSubprocessProtocol, type SubprocessRecording } from './process';

/** A scripted child: the test decides when it exits; signals are recorded. */
export class FakeProcessHandle implements ProcessHandle {
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

/** What `open` made: the scripted child, its transport and the recorded protocol. */
export interface Opened {
  handle: FakeProcessHandle;
  transport: ProcessTransport;
  rec: SubprocessRecording;
}

/** A ProcessTransport over a fake child, once connectionMade has run and reading began. */
export async function open(
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
export async function finish(handle: FakeProcessHandle, returncode = 0): Promise<void> {
  handle.eofAll();
  handle.exit(returncode);
  await turn(4);
}
