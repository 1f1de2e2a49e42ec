import type { InetAddress } from '../../src/core/address';
import type { Datagram, DatagramTransport } from '../../src/core/datagramTransports';
import type { DatagramProtocol } from '../../src/core/protocols';

/** A DatagramProtocol that records every callback. */
export function recorder(overrides: Partial<DatagramProtocol<DatagramTransport>> = {}) {
  const events: string[] = [];
  const datagrams: Datagram[] = [];
  const errors: Error[] = [];
  const lost: (Error | null)[] = [];
  const protocol: DatagramProtocol<DatagramTransport> = {
    connectionMade: () => events.push('made'),
    datagramReceived: (data, addr) => {
      events.push('datagram');
      datagrams.push({ data, addr: addr as InetAddress });
    },
    errorReceived: (exc) => {
      events.push('error');
      errors.push(exc);
    },
    connectionLost: (exc) => {
      events.push('lost');
      lost.push(exc);
    },
    pauseWriting: () => events.push('pause'),
    resumeWriting: () => events.push('resume'),
    ...overrides,
  };
  return { protocol, events, datagrams, errors, lost };
}
