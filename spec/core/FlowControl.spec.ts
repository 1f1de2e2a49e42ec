import { setExceptionHandler } from '../../src/core/exceptionHandler';
import { FlowControl, resolveWriteLimits } from '../../src/core/FlowControl';

/**
 * A FlowControl over a host whose buffer size each call sets first: `afterGrow(n)` means "the
 * buffer grew to n", as a transport calls it after a write.
 */
function makeFlow(onResume: (flow: SizedFlow) => void = () => undefined) {
  const calls: string[] = [];
  const host = {
    size: 0,
    getWriteBufferSize: () => host.size,
    getProtocol: () => ({
      pauseWriting: () => {
        calls.push('pause');
      },
      resumeWriting: () => {
        calls.push('resume');
        onResume(flow);
      },
    }),
  };
  const real = new FlowControl(host);
  const flow = sizedFlow(real, host);
  return { flow, calls };
}

/** The FlowControl calls with the buffer's size given first. */
interface SizedFlow {
  readonly writable$: FlowControl['writable$'];
  readonly isPaused: boolean;
  setLimits(size: number, high?: unknown, low?: unknown): void;
  afterGrow(size: number): void;
  afterShrink(size: number): void;
  drain(size: number): Promise<void>;
  flushed(size: number): Promise<void>;
  finish(error: Error | null): void;
  drop(error: Error): void;
}

function sizedFlow(real: FlowControl, host: { size: number }): SizedFlow {
  const at = (size: number): void => {
    host.size = size;
  };
  return {
    writable$: real.writable$,
    get isPaused() {
      return real.isPaused;
    },
    setLimits: (size, high, low) => {
      at(size);
      real.setLimits(high, low);
    },
    afterGrow: (size) => {
      at(size);
      real.afterGrow();
    },
    afterShrink: (size) => {
      at(size);
      real.afterShrink();
    },
    drain: (size) => {
      at(size);
      return real.drain();
    },
    flushed: (size) => {
      at(size);
      return real.flushed();
    },
    finish: (error) => {
      real.finish(error);
    },
    drop: (error) => {
      real.drop(error);
    },
  };
}

describe('resolveWriteLimits', () => {
  it('defaults to 64 KiB high and 16 KiB low', () => {
    expect(resolveWriteLimits()).toEqual({ high: 65536, low: 16384 });
  });

  it('derives high as 4 × low when only low is given', () => {
    expect(resolveWriteLimits(undefined, 100)).toEqual({ high: 400, low: 100 });
  });

  it('derives low as high / 4 floored when only high is given', () => {
    expect(resolveWriteLimits(10)).toEqual({ high: 10, low: 2 });
  });

  it('accepts high equal to low and zero', () => {
    expect(resolveWriteLimits(0, 0)).toEqual({ high: 0, low: 0 });
    expect(resolveWriteLimits(5, 5)).toEqual({ high: 5, low: 5 });
  });

  it.each([
    [1, 2],
    [-1, undefined],
    [10, -1],
    [Number.NaN, undefined],
    [1.5, undefined],
  ])('refuses high=%p low=%p with ERR_OUT_OF_RANGE', (high, low) => {
    expect(() => resolveWriteLimits(high, low)).toThrow(RangeError);
    expect(() => resolveWriteLimits(high, low)).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });

  it('refuses limits past the safe integers, where 4 × low would be Infinity', () => {
    for (const [high, low] of [
      [undefined, Number.MAX_VALUE],
      [0, Number.MAX_VALUE],
      [Number.MAX_VALUE, undefined],
      [2 ** 53, undefined],
    ]) {
      expect(() => resolveWriteLimits(high, low)).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
    }
  });

  it('keeps a derived high mark a safe integer', () => {
    const { high, low } = resolveWriteLimits(undefined, Number.MAX_SAFE_INTEGER);
    expect(Number.isSafeInteger(high)).toBe(true);
    expect(high).toBeGreaterThanOrEqual(low);
  });

  it('refuses a non-number with ERR_INVALID_ARG_TYPE', () => {
    expect(() => resolveWriteLimits('10')).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});

describe('FlowControl', () => {
  describe('afterGrow', () => {
    it('does not pause exactly at the high water mark', () => {
      const { flow, calls } = makeFlow();
      flow.setLimits(0, 10, 5);
      flow.afterGrow(10);
      expect(calls).toEqual([]);
      expect(flow.isPaused).toBe(false);
    });

    it('pauses one byte over the high water mark, once per episode', () => {
      const { flow, calls } = makeFlow();
      flow.setLimits(0, 10, 5);
      flow.afterGrow(11);
      flow.afterGrow(20);
      expect(calls).toEqual(['pause']);
    });

    it('pauses whenever anything is buffered when high is 0', () => {
      const { flow, calls } = makeFlow();
      flow.setLimits(0, 0);
      flow.afterGrow(1);
      expect(calls).toEqual(['pause']);
    });
  });

  describe('afterShrink', () => {
    it('resumes exactly at the low water mark, not above it', () => {
      const { flow, calls } = makeFlow();
      flow.setLimits(0, 10, 5);
      flow.afterGrow(11);
      flow.afterShrink(6);
      expect(calls).toEqual(['pause']);
      flow.afterShrink(5);
      expect(calls).toEqual(['pause', 'resume']);
      flow.afterShrink(0);
      expect(calls).toEqual(['pause', 'resume']);
    });
  });

  describe('setLimits', () => {
    it('runs the pause check at once but never the resume check', () => {
      const { flow, calls } = makeFlow();
      flow.setLimits(100, 50);
      expect(calls).toEqual(['pause']);
      flow.setLimits(100, 1000);
      expect(calls).toEqual(['pause']);
      expect(flow.isPaused).toBe(true);
    });
  });

  describe('hook errors', () => {
    it('reports a throwing pauseWriting and still updates the state', () => {
      const hookErrors: string[] = [];
      setExceptionHandler((context) => hookErrors.push(context.message));
      const host = {
        getWriteBufferSize: () => 2,
        getProtocol: () => ({
          pauseWriting: () => {
            throw new Error('boom');
          },
        }),
      };
      const flow = new FlowControl(host);
      try {
        flow.setLimits(1, 0);
        flow.afterGrow();
      } finally {
        setExceptionHandler(null);
      }
      expect(hookErrors).toEqual(['protocol.pauseWriting() failed']);
      expect(flow.isPaused).toBe(true);
    });
  });

  describe('a resumeWriting that writes past the high mark again', () => {
    it('leaves writable$ false, the hooks alternating, and drain() waiting', async () => {
      // The writer resumes and at once writes 50 bytes, past the high mark of 10.
      const { flow, calls } = makeFlow((f) => {
        f.afterGrow(50);
      });
      flow.setLimits(0, 10, 5);
      const seen: boolean[] = [];
      flow.writable$.subscribe((value) => seen.push(value));
      flow.afterGrow(20);
      let drained = false;
      void flow.drain(20).then(() => (drained = true));
      flow.afterShrink(0);
      await Promise.resolve();
      expect(calls).toEqual(['pause', 'resume', 'pause']);
      expect(flow.isPaused).toBe(true);
      expect(seen).toEqual([true, false]);
      expect(drained).toBe(false);
    });
  });

  describe('writable$', () => {
    it('emits the current value on subscribe, then each change', () => {
      const { flow } = makeFlow();
      flow.setLimits(0, 10, 5);
      const seen: boolean[] = [];
      flow.writable$.subscribe((value) => seen.push(value));
      flow.afterGrow(11);
      flow.afterGrow(12);
      flow.afterShrink(0);
      expect(seen).toEqual([true, false, true]);
    });

    it('completes when the transport ends', () => {
      const { flow } = makeFlow();
      let completed = false;
      flow.writable$.subscribe({ complete: () => (completed = true) });
      flow.finish(null);
      expect(completed).toBe(true);
    });
  });

  describe('drain', () => {
    it('resolves at once at or below the low water mark', async () => {
      const { flow } = makeFlow();
      await expect(flow.drain(16384)).resolves.toBeUndefined();
    });

    it('resolves when the buffer falls to the low water mark', async () => {
      const { flow } = makeFlow();
      flow.setLimits(0, 10, 5);
      let resolved = false;
      const drained = flow.drain(8).then(() => (resolved = true));
      flow.afterShrink(6);
      await Promise.resolve();
      expect(resolved).toBe(false);
      flow.afterShrink(5);
      await drained;
      expect(resolved).toBe(true);
    });

    it('rejects when the transport is lost first, and afterwards', async () => {
      const { flow } = makeFlow();
      flow.setLimits(0, 10, 5);
      const pending = flow.drain(8);
      const lost = new Error('reset');
      flow.finish(lost);
      await expect(pending).rejects.toBe(lost);
      await expect(flow.drain(0)).rejects.toBe(lost);
    });

    it('rejects with TransportClosedError after a clean loss', async () => {
      const { flow } = makeFlow();
      flow.setLimits(0, 10, 5);
      const pending = flow.drain(8);
      flow.finish(null);
      await expect(pending).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    });
  });

  describe('drop (the buffer was dropped: abort or a fatal error)', () => {
    it('rejects pending and later drains at once, even with nothing buffered', async () => {
      const { flow } = makeFlow();
      flow.setLimits(0, 10, 5);
      const pendingDrain = flow.drain(8);
      const pendingFlush = flow.flushed(8);
      const dropped = new Error('aborted');
      flow.drop(dropped);
      await expect(pendingDrain).rejects.toBe(dropped);
      await expect(pendingFlush).rejects.toBe(dropped);
      await expect(flow.drain(0)).rejects.toBe(dropped);
      await expect(flow.flushed(0)).rejects.toBe(dropped);
    });

    it('leaves writable$ open until the transport ends', () => {
      const { flow } = makeFlow();
      let completed = false;
      flow.writable$.subscribe({ complete: () => (completed = true) });
      flow.drop(new Error('aborted'));
      expect(completed).toBe(false);
      flow.finish(null);
      expect(completed).toBe(true);
    });
  });
});
