/**
 * Faults: `close()` and `abort()` called from inside each callback of a plain `Protocol` on a TCP
 * transport over a real loopback socket (connectionMade, dataReceived, eofReceived, pauseWriting
 * from write() and from setWriteBufferLimits(), resumeWriting, connectionLost).
 * `connectionLost` (and `closed$`) comes exactly once, nothing thrown escapes or reaches the
 * exception handler, and after `close()` every byte written before it reaches the peer, then a
 * clean EOF (after `abort()`, an exact prefix of them).
 */
import type { SocketTransport } from '../../src/index';
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

const PROTOCOL_CASES: readonly StreamCase[] = [
  {
    name: 'connectionMade',
    protocol: (ctx) => ({
      connectionMade: (t) => {
        ctx.act(t);
      },
    }),
  },
  {
    name: 'dataReceived',
    peer: (socket) => socket.write(utf8('ping')),
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        dataReceived: () => {
          ctx.act(transport);
        },
      };
    },
  },
  {
    name: 'eofReceived',
    peer: (socket) => socket.end(utf8('bye')),
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        eofReceived: () => {
          ctx.act(transport);
          return true;
        },
      };
    },
  },
  {
    name: 'pauseWriting (from write())',
    peer: holdingPeer,
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        pauseWriting: () => {
          ctx.act(transport);
        },
      };
    },
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await resumePeerAfterAct(ctx);
    },
  },
  {
    name: 'pauseWriting (from setWriteBufferLimits())',
    peer: holdingPeer,
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        pauseWriting: () => {
          ctx.act(transport);
        },
      };
    },
    trigger: async (t, ctx) => {
      t.setWriteBufferLimits(64 * MiB);
      ctx.write(t, patternBytes(16 * MiB));
      expect(ctx.acted()).toBe(false);
      t.setWriteBufferLimits(0);
      expect(ctx.acted()).toBe(true);
      await resumePeerAfterAct(ctx);
    },
  },
  {
    name: 'resumeWriting',
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        resumeWriting: () => {
          ctx.act(transport);
        },
      };
    },
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await waitFor(ctx.acted, 'resumeWriting');
    },
  },
  {
    name: 'connectionLost',
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        connectionLost: () => {
          ctx.act(transport);
        },
      };
    },
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(MiB));
      t.close();
      await waitFor(ctx.acted, 'connectionLost');
    },
  },
];

describe('close() and abort() from inside callbacks', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  describe('of a TCP transport', () => {
    it.each(streamCaseTable(PROTOCOL_CASES))('%s calling %s()', async (_name, action, c) => {
      await runStreamCase(resources, action, c);
    });
  });
});
