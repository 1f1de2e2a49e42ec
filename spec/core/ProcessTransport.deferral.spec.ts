/**
 * ProcessTransport defers only through its callSoon (and its pipes' flushes through flushSoon):
 * with a deferral the test runs by hand, every callback happens with no promise turn between,
 * which is what lets a marble test run it in virtual time.
 */
import type { CallSoon } from '../../src/core/callSoon';
import { ProcessTransport } from '../../src/core/ProcessTransport';
import { FakeProcessHandle } from '../helpers/FakeProcessHandle';
import { recordingSubprocessProtocol } from '../helpers/process';

/** A deferral queue run synchronously by `run()`. */
function manualQueue(): { callSoon: CallSoon; run: () => void } {
  const queue: (() => void)[] = [];
  return {
    callSoon: (callback) => {
      queue.push(callback);
    },
    run: () => {
      while (queue.length > 0) queue.shift()?.();
    },
  };
}

describe('ProcessTransport with its own deferral', () => {
  it.each([
    ['before connectionMade', true],
    ['after connectionMade', false],
  ])('reports an exit that comes %s with no promise turn', (_when, exitFirst) => {
    const { callSoon, run } = manualQueue();
    const handle = new FakeProcessHandle([true, true, false]);
    if (exitFirst) handle.exit(7);
    const rec = recordingSubprocessProtocol();
    const transport = new ProcessTransport(handle, { protocol: rec.protocol, callSoon });
    run();
    if (!exitFirst) handle.exit(7);
    handle.stdout.receiveEof();
    run();
    expect(rec.events).toEqual(expect.arrayContaining(['made', 'exited', 'lost']));
    expect(rec.events.indexOf('exited')).toBeGreaterThan(rec.events.indexOf('made'));
    expect(rec.events.at(-1)).toBe('lost');
    expect(transport.getReturncode()).toBe(7);
  });

  it("flushes the pipes' gathered writes through flushSoon", () => {
    const { callSoon, run } = manualQueue();
    const handle = new FakeProcessHandle([true, false, false]);
    const transport = new ProcessTransport(handle, { callSoon, flushSoon: callSoon });
    run();
    transport.sink.next(new TextEncoder().encode('x'));
    expect(handle.stdin.written).toHaveLength(0);
    run();
    expect(handle.stdin.written).toHaveLength(1);
  });
});
