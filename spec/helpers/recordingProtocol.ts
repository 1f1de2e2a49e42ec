import type { Protocol } from '../../src/core/protocols';
import type { SocketTransport } from '../../src/core/transports';

/** A Protocol that records every callback, for asserting asyncio's callback order. */
export function recordingProtocol(overrides: Partial<Protocol<SocketTransport>> = {}) {
  const events: string[] = [];
  const received: Uint8Array[] = [];
  const lost: (Error | null)[] = [];
  const protocol: Protocol<SocketTransport> = {
    connectionMade: () => events.push('made'),
    dataReceived: (data) => {
      events.push('data');
      received.push(data);
    },
    eofReceived: () => {
      events.push('eof');
    },
    connectionLost: (exc) => {
      events.push('lost');
      lost.push(exc);
    },
    pauseWriting: () => events.push('pause'),
    resumeWriting: () => events.push('resume'),
    ...overrides,
  };
  return { protocol, events, received, lost, text: () => Buffer.concat(received).toString() };
}
