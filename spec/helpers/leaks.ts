/**
 * Leak checks for the real-I/O specs: counts what `process.getActiveResourcesInfo()` reports,
 * by type (TCPSocketWrap, TCPServerWrap, PipeWrap, UDPWrap, ProcessWrap, Timeout, ...), takes a
 * baseline, and asserts that the counts are back to it after a test. Node releases handles in
 * the loop's close phase, a turn or more after `destroy()`/`close()`, and a killed child is
 * reaped asynchronously, so the check polls (for a bounded time) instead of comparing once.
 *
 * ```ts
 * describe('my transport', () => {
 *   const resources = useResources();
 *   useLeakCheck(resources); // after each test: dispose, then handles back to the baseline
 *   it('...', async () => { ... });
 * });
 * ```
 * Inside a test (a property, say): `const before = countHandles(); ...; await
 * expectHandlesBack(before)`. A leak that outlives the bounded wait fails the test, and the
 * leaked handles are then released so that the next tests and jest's exit are unaffected.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Resources } from './resources';

/** How many active resources of each type the process holds. */
export type HandleCounts = Readonly<Record<string, number>>;

/**
 * The resource types a transport can leave behind: sockets, servers, pipes, UDP sockets,
 * children, and the timers and requests that keep the loop alive on their behalf.
 */
export const TRACKED_TYPES: readonly string[] = [
  'TCPSocketWrap',
  'TCPServerWrap',
  'TCPConnectWrap',
  'PipeWrap',
  'PipeServerWrap',
  'PipeConnectWrap',
  'UDPWrap',
  'SendWrap',
  'ProcessWrap',
  'TTYWrap',
  'ShutdownWrap',
  'WriteWrap',
  'GetAddrInfoReqWrap',
  'Timeout',
  'Immediate',
];

/** The objects behind the active handles (sockets, servers, children), where Node tells them. */
function handleObjects(): object[] {
  const list = (process as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  if (typeof list !== 'function') return [];
  return list.call(process).filter((h): h is object => typeof h === 'object' && h !== null);
}

/** The handle objects alive when counts were taken (kept out of the counts' own keys). */
const OBJECTS = new WeakMap<HandleCounts, ReadonlySet<object>>();

/** Counts the active resources of the process by type. */
export function countHandles(): HandleCounts {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  OBJECTS.set(counts, new Set(handleObjects()));
  return counts;
}

/** What the leak check may call on a leaked handle object to release it. */
interface Releasable {
  destroy?: () => void;
  close?: () => void;
  kill?: (signal: string) => boolean;
  unref?: () => void;
}

/**
 * After a leak was reported: releases the handles opened since `baseline` (destroys sockets,
 * closes servers, kills children), so that a leak in the code under test fails its own test but
 * neither pollutes the next ones nor keeps jest from exiting. Returns their kinds.
 */
function releaseLeaked(baseline: HandleCounts): string[] {
  const before = OBJECTS.get(baseline);
  if (!before) return [];
  const leaked = handleObjects().filter((handle) => !before.has(handle));
  for (const handle of leaked) {
    const releasable = handle as Releasable;
    try {
      if (typeof releasable.kill === 'function') releasable.kill('SIGKILL');
      else if (typeof releasable.destroy === 'function') releasable.destroy();
      else if (typeof releasable.close === 'function') releasable.close();
    } catch {
      // Releasing is best effort: the leak is reported either way.
    }
    releasable.unref?.();
  }
  return leaked.map((handle) => handle.constructor.name);
}

/** The tracked types whose count is above `baseline` now, with how many more there are. */
export function handlesAbove(
  baseline: HandleCounts,
  now: HandleCounts = countHandles(),
  types: readonly string[] = TRACKED_TYPES,
): Record<string, number> {
  const excess: Record<string, number> = {};
  for (const type of types) {
    const extra = (now[type] ?? 0) - (baseline[type] ?? 0);
    if (extra > 0) excess[type] = extra;
  }
  return excess;
}

/** Options of {@link expectHandlesBack}. */
export interface LeakCheckOptions {
  /** How long handles still closing may take to go. @defaultValue 5000 */
  readonly timeoutMs?: number;
  /** The types compared. @defaultValue {@link TRACKED_TYPES} */
  readonly types?: readonly string[];
  /** Named in the failure message. */
  readonly what?: string;
}

/**
 * Resolves once no tracked type is above `baseline`; rejects, listing the excess by type and
 * everything active, if that does not happen within `timeoutMs`.
 */
export async function expectHandlesBack(
  baseline: HandleCounts,
  { timeoutMs = 5_000, types = TRACKED_TYPES, what = 'the test' }: LeakCheckOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // One turn first: this check's own poll timer must not count against it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const excess = handlesAbove(baseline, countHandles(), types);
    if (Object.keys(excess).length === 0) return;
    if (Date.now() > deadline) {
      const active = JSON.stringify(process.getActiveResourcesInfo());
      const released = releaseLeaked(baseline);
      throw new Error(
        `Leak after ${what}: ${JSON.stringify(excess)} more than the baseline ` +
          `${JSON.stringify(baseline)} after ${timeoutMs} ms; active now: ${active}` +
          (released.length > 0 ? `; released the leaked ${released.join(', ')}` : ''),
      );
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}

/** What {@link useLeakCheck} gives a spec. */
export interface LeakCheck {
  /** The counts taken before the current test. */
  baseline(): HandleCounts;
}

/**
 * Takes a handle baseline before each test of the enclosing `describe` and, after it, disposes
 * `resources` (when given: so that what the test tracked is closed first, whatever order jest
 * runs the `afterEach` hooks in) and fails the test unless the counts come back to the baseline.
 */
export function useLeakCheck(
  resources?: Resources,
  options: Omit<LeakCheckOptions, 'what'> = {},
): LeakCheck {
  let baseline: HandleCounts = {};
  beforeEach(() => {
    baseline = countHandles();
  });
  afterEach(async () => {
    await resources?.dispose();
    const what = expect.getState().currentTestName ?? 'the test';
    await expectHandlesBack(baseline, { ...options, what });
  });
  return { baseline: () => baseline };
}

/**
 * A function running a full garbage collection, or null when the platform gives none. Jest
 * cannot pass `--expose-gc` to one spec file, so this asks V8 for the flag at run time and takes
 * `gc` from a fresh context, where V8 installs it.
 */
export function findGc(): (() => void) | null {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') return gc as () => void;
  } catch {
    // No way to collect: the caller says so.
  }
  return null;
}

/** heapUsed after a full collection (several, so that weak references and finalizers settle). */
export async function settledHeapUsed(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  gc();
  return process.memoryUsage().heapUsed;
}
