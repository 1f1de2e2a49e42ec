/**
 * Property tests of the core's flow control: any sequence of writes, completed writes (the OS
 * taking the bytes), limit changes and read pauses, run against a StreamTransport over a
 * scriptable handle, keeps asyncio's invariants [W12, W13, R2].
 */
import fc from 'fast-check';
import type { Protocol } from '../../src/core/protocols';
import { StreamTransport } from '../../src/core/StreamTransport';
import type { SocketTransport } from '../../src/core/transports';
import { FakeStreamHandle } from '../helpers/FakeStreamHandle';

const numRuns = 200;

/** A FakeStreamHandle that counts the bytes the "OS" has accepted. */
class CountingHandle extends FakeStreamHandle {
  accepted = 0;
  private inFlight = 0;

  override write(chunks: readonly Uint8Array[], done: () => void): boolean {
    const size = chunks.reduce((n, chunk) => n + chunk.byteLength, 0);
    const atOnce = super.write(chunks, done);
    if (atOnce) this.accepted += size;
    else this.inFlight = size;
    return atOnce;
  }

  /** A `tryWrite` taking up to `limit` bytes of each offer, counted as accepted. */
  takeDirect(limit: number): void {
    this.tryWrite = (bytes) => {
      const taken = Math.min(limit, bytes.byteLength);
      this.accepted += taken;
      return taken;
    };
  }

  /** The OS takes the outstanding write; the transport may hand over its queue at once. */
  override completeWrite(): void {
    this.accepted += this.inFlight;
    this.inFlight = 0;
    super.completeWrite();
  }
}

type Command =
  | { readonly kind: 'write'; readonly size: number; readonly atOnce: boolean }
  | { readonly kind: 'flush' }
  | { readonly kind: 'endTurn' }
  | { readonly kind: 'limits'; readonly high: number | undefined; readonly low: number | undefined }
  | { readonly kind: 'pauseReading' }
  | { readonly kind: 'resumeReading' };

/** Valid `setWriteBufferLimits` arguments: both, only high, only low, or neither. */
const limits = fc.oneof(
  fc
    .tuple(fc.nat({ max: 300 }), fc.nat({ max: 300 }))
    .map(([a, b]) => ({ high: Math.max(a, b), low: Math.min(a, b) })),
  fc.record({ high: fc.nat({ max: 300 }), low: fc.constant(undefined) }),
  fc.record({ high: fc.constant(undefined), low: fc.nat({ max: 80 }) }),
  fc.constant({ high: undefined, low: undefined }),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      size: fc.nat({ max: 120 }),
      // Whether the OS takes this write (if it is handed over now) without waiting.
      atOnce: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'endTurn' as const }) },
  {
    weight: 1,
    arbitrary: limits.map(({ high, low }) => ({ kind: 'limits' as const, high, low })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'pauseReading' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'resumeReading' as const }) },
);

/** asyncio's resolution of `setWriteBufferLimits(high, low)` [W12], written independently. */
function expectedLimits(high: number | undefined, low: number | undefined): [number, number] {
  const hi = high ?? (low === undefined ? 64 * 1024 : 4 * low);
  return [low ?? Math.floor(hi / 4), hi];
}

interface Hook {
  readonly hook: 'pause' | 'resume';
  readonly size: number;
  readonly low: number;
  readonly high: number;
}

/**
 * A transport over a CountingHandle whose deferred callbacks run when the test says, with a
 * `tryWrite` taking up to `direct` bytes per offer when given.
 */
function setUp(direct?: number) {
  const handle = new CountingHandle();
  if (direct !== undefined) handle.takeDirect(direct);
  const deferred: (() => void)[] = [];
  const turnEnd: (() => void)[] = [];
  const hooks: Hook[] = [];
  // The transport is built before the protocol sees it; the hooks read it through this.
  let transport: SocketTransport | null = null;
  const record = (hook: Hook['hook']) => () => {
    const t = transport as SocketTransport;
    const [low, high] = t.getWriteBufferLimits();
    hooks.push({ hook, size: t.getWriteBufferSize(), low, high });
  };
  const protocol: Protocol<SocketTransport> = {
    pauseWriting: record('pause'),
    resumeWriting: record('resume'),
  };
  transport = new StreamTransport(handle, {
    protocol,
    callSoon: (callback) => deferred.push(callback),
    flushSoon: (callback) => turnEnd.push(callback),
  });
  const endTurn = (): void => {
    while (turnEnd.length > 0) turnEnd.shift()?.();
  };
  const runDeferred = (): void => {
    while (deferred.length > 0) deferred.shift()?.();
  };
  runDeferred(); // connectionMade: reading starts
  const writable: boolean[] = [];
  transport.writable$.subscribe((value) => writable.push(value));
  return { transport, handle, hooks, writable, runDeferred, endTurn };
}

/** Runs `commands`, checking every invariant after each; returns the final state. */
function run(commands: readonly Command[], direct?: number) {
  const { transport, handle, hooks, writable, runDeferred, endTurn } = setUp(direct);
  let written = 0;
  let readingPaused = false;
  let limitsNow: [number, number] = expectedLimits(undefined, undefined);
  let checkedHooks = 0;

  for (const cmd of commands) {
    let shrank = false;
    switch (cmd.kind) {
      case 'write':
        handle.acceptAtOnce = cmd.atOnce;
        transport.write(new Uint8Array(cmd.size));
        written += cmd.size;
        break;
      case 'flush':
        shrank = handle.writeOutstanding;
        if (shrank) handle.completeWrite();
        break;
      case 'endTurn': {
        const before = transport.getWriteBufferSize();
        endTurn();
        shrank = transport.getWriteBufferSize() < before;
        break;
      }
      case 'limits':
        transport.setWriteBufferLimits(cmd.high, cmd.low);
        limitsNow = expectedLimits(cmd.high, cmd.low);
        break;
      case 'pauseReading':
        transport.pauseReading();
        readingPaused = true;
        break;
      case 'resumeReading':
        transport.resumeReading();
        readingPaused = false;
        break;
      default: {
        const unexpected: never = cmd;
        throw new Error(`unknown command ${JSON.stringify(unexpected)}`);
      }
    }
    runDeferred();

    const size = transport.getWriteBufferSize();
    // The buffer holds exactly what was written and the OS has not taken.
    expect(size).toBe(written - handle.accepted);
    expect(transport.getWriteBufferLimits()).toEqual(limitsNow);
    // pauseWriting and resumeWriting strictly alternate, starting with pause; each came at the
    // right size, against the limits of that moment. (Hooks of earlier steps were checked then.)
    for (; checkedHooks < hooks.length; checkedHooks += 1) {
      const { hook, size: at, low, high } = hooks[checkedHooks]!;
      expect(hook).toBe(checkedHooks % 2 === 0 ? 'pause' : 'resume');
      if (hook === 'pause') expect(at).toBeGreaterThan(high);
      else expect(at).toBeLessThanOrEqual(low);
    }
    // Paused iff a pause is not yet followed by a resume; writable$ says the same.
    const paused = hooks.length % 2 === 1;
    expect(writable[writable.length - 1]).toBe(!paused);
    expect(writable.length).toBe(hooks.length + 1);
    // Not paused means at or below the high water mark (else the last growth would have paused);
    // still paused after the buffer shrank means still above the low one (else it would resume).
    if (!paused) expect(size).toBeLessThanOrEqual(limitsNow[1]);
    if (paused && shrank) expect(size).toBeGreaterThan(limitsNow[0]);
    // Reading follows the last pauseReading/resumeReading.
    expect(transport.isReading()).toBe(!readingPaused);
    expect(handle.reading).toBe(!readingPaused);
  }
  return { transport, handle, hooks, writable };
}

describe('StreamTransport flow control (properties)', () => {
  /** No `tryWrite` (as the in-memory handles), or one the OS takes 0 to 150 bytes of. */
  const direct = fc.option(fc.nat({ max: 150 }), { nil: undefined });

  it('keeps the buffer, water mark and reading invariants through any sequence of commands', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), direct, (commands, limit) => {
        run(commands, limit);
      }),
      { numRuns },
    );
  });

  it('is writable again, with resumeWriting called, once the OS has taken everything', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), direct, (commands, limit) => {
        // The turn ends (gathered bytes are handed over); the first flush completes the
        // outstanding write and hands the queue over as one batch, the second completes that
        // batch and hands over what was gathered behind it, the third completes that.
        const flush: Command = { kind: 'flush' };
        const { transport, handle, hooks, writable } = run(
          [...commands, { kind: 'endTurn' }, flush, flush, flush],
          limit,
        );
        expect(handle.writeOutstanding).toBe(false);
        expect(transport.getWriteBufferSize()).toBe(0);
        expect(hooks.length % 2).toBe(0);
        expect(writable[writable.length - 1]).toBe(true);
      }),
      { numRuns },
    );
  });

  it('pauses on the write that passes the high water mark, not before', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 200 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (high, sizes) => {
          const { transport, hooks } = setUp();
          transport.setWriteBufferLimits(high, 0);
          let total = 0;
          for (const size of sizes) {
            transport.write(new Uint8Array(size)); // the OS takes nothing
            total += size;
            expect(hooks.length).toBe(total > high ? 1 : 0);
          }
        },
      ),
      { numRuns },
    );
  });

  it('resumes when what is left comes down to the low water mark, not one byte above it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 5 }),
        fc.boolean(),
        fc.nat({ max: 50 }),
        (parts, oneAbove, headroom) => {
          const left = parts.reduce((n, part) => n + part, 0);
          const low = oneAbove && left > 0 ? left - 1 : left;
          const high = low + headroom;
          const { transport, handle, hooks } = setUp();
          transport.setWriteBufferLimits(high, low);
          transport.write(new Uint8Array(high + 1)); // handed to the OS, which takes its time
          for (const part of parts) transport.write(new Uint8Array(part)); // queued behind it
          expect(hooks.map(({ hook }) => hook)).toEqual(['pause']);
          handle.completeWrite(); // the queue is handed over: `left` bytes remain
          expect(transport.getWriteBufferSize()).toBe(left);
          const resumed = left <= low;
          expect(hooks.map(({ hook }) => hook)).toEqual(resumed ? ['pause', 'resume'] : ['pause']);
        },
      ),
      { numRuns },
    );
  });
});
