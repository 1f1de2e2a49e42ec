/**
 * Faults: `close()` and `abort()` called from inside `getBuffer` and `bufferUpdated` of a
 * `BufferedProtocol` on a TCP transport over a real loopback socket. `connectionLost` (and
 * `closed$`) comes exactly once, nothing thrown escapes or reaches the exception handler, and
 * after `close()` every byte written before it reaches the peer, then a clean EOF (after
 * `abort()`, an exact prefix of them).
 */
import type { SocketTransport } from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { useExceptionReports } from '../helpers/exceptions';
import { runStreamCase, streamCaseTable, type StreamCase } from './reentrantClose.helpers';

const BUFFERED_CASES: readonly StreamCase[] = [
  {
    name: 'getBuffer (BufferedProtocol)',
    peer: (socket) => socket.write(utf8('ping')),
    protocol: (ctx) => {
      let transport: SocketTransport;
      const buffer = new Uint8Array(16);
      return {
        connectionMade: (t) => (transport = t),
        getBuffer: () => {
          ctx.act(transport);
          return buffer;
        },
        bufferUpdated: () => undefined,
      };
    },
  },
  {
    name: 'bufferUpdated (BufferedProtocol)',
    peer: (socket) => socket.write(utf8('ping')),
    protocol: (ctx) => {
      let transport: SocketTransport;
      const buffer = new Uint8Array(16);
      return {
        connectionMade: (t) => (transport = t),
        getBuffer: () => buffer,
        bufferUpdated: () => {
          ctx.act(transport);
        },
      };
    },
  },
];

describe('close() and abort() from inside callbacks', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  describe('of a TCP transport', () => {
    it.each(streamCaseTable(BUFFERED_CASES))('%s calling %s()', async (_name, action, c) => {
      await runStreamCase(resources, action, c);
    });
  });
});
