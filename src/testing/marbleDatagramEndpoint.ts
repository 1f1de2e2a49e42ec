import { map, type Observable } from 'rxjs';
import type { RunHelpers } from 'rxjs/testing';
import type { InetAddress } from '../core/address.js';
import { DatagramEndpoint } from '../core/DatagramEndpoint.js';
import type { Datagram, DatagramTransport } from '../core/datagramTransports.js';
import { osError } from '../core/osErrors.js';
import type { DatagramProtocol } from '../core/protocols.js';
import { MarbleDatagramHandle, type MarbleDatagramEvent } from './MarbleDatagramHandle.js';
import { marbleBytes, marbleCallSoon } from './marbleScheduling.js';

/**
 * A datagram a marble letter stands for: its payload (a string is UTF-8 encoded) and sender.
 * @group Testing
 */
export interface MarbleDatagram {
  readonly data: string | Uint8Array;
  /**
   * The sender.
   * @defaultValue {@link MARBLE_DATAGRAM_PEER}
   */
  readonly addr?: InetAddress;
}

/**
 * The sender of a marble datagram drawn without one, and the local address of the endpoint.
 * @group Testing
 */
export const MARBLE_DATAGRAM_PEER: InetAddress = { host: '192.0.2.1', port: 5000 };
const LOCAL: InetAddress = { host: '192.0.2.100', port: 4000 };

/**
 * Options of {@link marbleDatagramEndpoint}.
 * @group Testing
 */
export interface MarbleDatagramEndpointOptions {
  /**
   * Marble diagram of what the socket receives: each value is a datagram; a value that is an
   * `Error` is an error the socket reports there (an ICMP error), and the endpoint stays open;
   * `#` is the same, ending the marble.
   */
  readonly incoming: string;
  /** The datagrams (or errors) of the marble's letters; without one a letter is its own payload. */
  readonly values?: Readonly<Record<string, MarbleDatagram | Error>>;
  /**
   * The error `#` stands for.
   * @defaultValue a `ConnectionRefusedError` (`ECONNREFUSED`), as after an ICMP port unreachable
   */
  readonly error?: Error;
  /** asyncio's `remote_addr`: what `sendto` defaults to and the only address it takes. */
  readonly remoteAddr?: InetAddress;
  /** A protocol; without one the endpoint feeds its Rx surfaces. */
  readonly protocol?: DatagramProtocol<DatagramTransport>;
}

/**
 * A datagram endpoint whose network is a marble diagram.
 * @group Testing
 */
export type MarbleDatagramEndpoint = DatagramTransport & {
  /** Each datagram sent, with its destination, in virtual time; completes on close. */
  readonly sent$: Observable<Datagram>;
};

/**
 * A UDP endpoint for `TestScheduler.run`, the same core as `createDatagramEndpoint`'s:
 * `datagrams$` (or the protocol's `datagramReceived`) plays the `incoming` marble, `errors$`
 * (`errorReceived`) the errors drawn in it, and `sent$` emits each `sendto`.
 *
 * @param helpers - What `TestScheduler.run` passes to its callback.
 * @example
 * ```ts
 * new TestScheduler((a, b) => expect(a).toEqual(b)).run((helpers) => {
 *   const udp = marbleDatagramEndpoint(helpers, { incoming: '-p-' });
 *   udp.datagrams$.subscribe(({ addr }) => udp.sendto(new TextEncoder().encode('pong'), addr));
 *   helpers.expectObservable(udp.sent$).toBe('-s-', {
 *     s: { data: new TextEncoder().encode('pong'), addr: MARBLE_DATAGRAM_PEER },
 *   });
 * });
 * ```
 * @group Testing
 */
export function marbleDatagramEndpoint(
  helpers: RunHelpers,
  options: MarbleDatagramEndpointOptions,
): MarbleDatagramEndpoint {
  const error = (): Error =>
    options.error ??
    osError('ECONNREFUSED', 'recvfrom ECONNREFUSED (an ICMP error drawn in a marble)', {
      syscall: 'recvfrom',
    });
  const incoming = helpers
    .cold<MarbleDatagram | Error | string>(options.incoming, options.values, error())
    .pipe(
      map((value): MarbleDatagramEvent => {
        if (value instanceof Error) return value;
        if (typeof value === 'string')
          return { data: marbleBytes(value), addr: MARBLE_DATAGRAM_PEER };
        return { data: marbleBytes(value.data), addr: value.addr ?? MARBLE_DATAGRAM_PEER };
      }),
    );
  const remote = options.remoteAddr;
  const handle = new MarbleDatagramHandle(
    incoming,
    marbleCallSoon,
    remote ? { sockname: LOCAL, peername: remote } : { sockname: LOCAL },
    error,
  );
  const endpoint = new DatagramEndpoint(handle, {
    protocol: options.protocol,
    remoteAddr: remote,
    callSoon: marbleCallSoon,
  });
  return Object.assign(endpoint, { sent$: handle.sent$ });
}
