import { map, NEVER, type Observable } from 'rxjs';
import type { RunHelpers } from 'rxjs/testing';
import { ProcessTransport } from '../core/ProcessTransport.js';
import type { SubprocessProtocol } from '../core/protocols.js';
import type { SubprocessTransport } from '../core/transports.js';
import { marbleStreamHandle, type MarblePeerOptions } from './marbleTransport.js';
import { MarbleProcessHandle } from './MarbleProcessHandle.js';
import { marbleCallSoon } from './marbleScheduling.js';

/**
 * Options of {@link marbleSubprocess}.
 * @group Testing
 */
export interface MarbleSubprocessOptions {
  /** Marble of what the child writes to its stdout (`|`: it closes it); without it, not piped. */
  readonly stdout?: string;
  /** Marble of what the child writes to its stderr; without it, not piped. */
  readonly stderr?: string;
  /**
   * Marble of the child's exit: its first value is the return code (a number from `values`, or
   * a digit); `-9` is a child killed by `SIGKILL`. Without it the child runs until killed.
   */
  readonly exit?: string;
  /** Values of the letters: strings or bytes for `stdout`/`stderr`, numbers for `exit`. */
  readonly values?: Readonly<Record<string, string | Uint8Array | number>>;
  /**
   * The error `#` stands for in `stdout`, `stderr` and `stdin.reads`.
   * @defaultValue a `ConnectionResetError` (`ECONNRESET`)
   */
  readonly error?: unknown;
  /** The child's reading of its stdin, drawn as a peer's reads; without it, it takes all at once. */
  readonly stdin?: MarblePeerOptions;
  /** A protocol; without one the transport feeds its Rx surfaces. */
  readonly protocol?: SubprocessProtocol<SubprocessTransport>;
}

/**
 * A subprocess transport whose child is drawn as marbles.
 * @group Testing
 */
export type MarbleSubprocess = SubprocessTransport & {
  /** What the child was sent on its stdin, in virtual time; completes when stdin closes. */
  readonly stdinWritten$: Observable<Uint8Array>;
  /** Each signal sent to the child while it ran (`SIGKILL` kills it: it exits with `-9`). */
  readonly signals$: Observable<number | string>;
};

/**
 * A subprocess for `TestScheduler.run`, the same core as `subprocessExec`'s: the child's
 * stdout and stderr play their marbles on `data$`/`output$`, the pipe transports and the
 * protocol's `pipeDataReceived`; at the `exit` marble's value its output pipes end, `exit$`
 * and `getReturncode()` give the return code, and `processExited` and `connectionLost` come in
 * the order asyncio gives them. `stdinWritten$` emits what the child was sent.
 *
 * @param helpers - What `TestScheduler.run` passes to its callback.
 * @example
 * ```ts
 * new TestScheduler((a, b) => expect(a).toEqual(b)).run((helpers) => {
 *   const child = marbleSubprocess(helpers, { stdout: '-a|', exit: '--0', values: { a: 'hi\n' } });
 *   helpers.expectObservable(child.exit$).toBe('--(c|)', { c: 0 });
 * });
 * ```
 * @group Testing
 */
export function marbleSubprocess(
  helpers: RunHelpers,
  options: MarbleSubprocessOptions,
): MarbleSubprocess {
  const values = options.values ?? {};
  const bytes = Object.fromEntries(
    Object.entries(values).filter(
      (entry): entry is [string, string | Uint8Array] => typeof entry[1] !== 'number',
    ),
  );
  const output = (marble: string | undefined): ReturnType<typeof marbleStreamHandle> | null => {
    if (marble === undefined) return null;
    const handle = marbleStreamHandle(helpers, marble, bytes, options.error);
    handle.canShutdown = false;
    return handle;
  };
  const stdin = marbleStreamHandle(helpers, '-', undefined, options.error, options.stdin);
  const exit =
    options.exit === undefined
      ? null
      : helpers.cold(options.exit).pipe(map((letter) => returncodeOf(values[letter] ?? letter)));
  const handle = new MarbleProcessHandle(
    [stdin, output(options.stdout), output(options.stderr)],
    exit ?? NEVER,
    marbleCallSoon,
  );
  const transport = new ProcessTransport(handle, {
    protocol: options.protocol,
    callSoon: marbleCallSoon,
    flushSoon: marbleCallSoon,
  });
  return Object.assign(transport, { stdinWritten$: stdin.written$, signals$: handle.signals$ });
}

function returncodeOf(value: string | number | Uint8Array): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d$/.test(value)) return Number(value);
  throw new TypeError(`An exit marble's value must be a number or a digit, got ${String(value)}`);
}
