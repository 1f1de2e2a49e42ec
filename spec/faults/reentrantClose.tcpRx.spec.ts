/**
 * Faults: `close()` and `abort()` called from inside the Rx surfaces of a TCP transport over a
 * real loopback socket: `data$` subscribers (next, complete), `writable$` subscribers (turning
 * false, turning true again), a `drain()` continuation, and a `closed$` subscriber. `closed$`
 * comes exactly once, nothing thrown escapes or reaches the exception handler, and after
 * `close()` every byte written before it reaches the peer, then a clean EOF (after `abort()`, an
 * exact prefix of them).
 */
import { patternBytes, utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { waitFor } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import {
  holdingPeer,
  resumePeerAfterAct,
  runStreamCase,
  streamCaseTable,
  type StreamCase,
} from './reentrantClose.helpers';

const RX_CASES: readonly StreamCase[] = [
  {
    name: 'a data$ subscriber (next)',
    peer: (socket) => socket.write(utf8('ping')),
    protocol: null,
    subscribe: (t, ctx) =>
      t.data$.subscribe(() => {
        ctx.act(t);
      }),
  },
  {
    name: 'a data$ subscriber (complete)',
    peer: (socket) => socket.end(utf8('bye')),
    protocol: null,
    subscribe: (t, ctx) =>
      t.data$.subscribe({
        complete: () => {
          ctx.act(t);
        },
      }),
  },
  {
    name: 'a writable$ subscriber (false)',
    peer: holdingPeer,
    protocol: null,
    subscribe: (t, ctx) =>
      t.writable$.subscribe((writable) => {
        if (!writable) ctx.act(t);
      }),
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await resumePeerAfterAct(ctx);
    },
  },
  {
    name: 'a writable$ subscriber (true again)',
    protocol: null,
    subscribe: (t, ctx) => {
      let wasFalse = false;
      t.writable$.subscribe((writable) => {
        if (!writable) wasFalse = true;
        else if (wasFalse) ctx.act(t);
      });
    },
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await waitFor(ctx.acted, 'writable$ to turn true again');
    },
  },
  {
    name: 'a drain() continuation',
    protocol: null,
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await t.drain();
      ctx.act(t);
    },
  },
  {
    name: 'a closed$ subscriber',
    protocol: null,
    subscribe: (t, ctx) =>
      t.closed$.subscribe(() => {
        ctx.act(t);
      }),
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(MiB));
      t.close();
      await waitFor(ctx.acted, 'closed$');
    },
  },
];

describe('close() and abort() from inside callbacks', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  describe('of a TCP transport', () => {
    it.each(streamCaseTable(RX_CASES))('%s calling %s()', async (_name, action, c) => {
      await runStreamCase(resources, action, c);
    });
  });
});
