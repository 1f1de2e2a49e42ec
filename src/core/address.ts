/**
 * An Internet socket address, as asyncio's `(host, port)` tuples.
 * @group Transports
 */
export interface InetAddress {
  readonly host: string;
  readonly port: number;
  readonly family?: 'IPv4' | 'IPv6';
}

/**
 * A Unix-domain socket address (`''` for an unnamed peer, as asyncio reports it).
 * @group Transports
 */
export interface UnixAddress {
  readonly path: string;
}

/**
 * A socket address: Internet (`host`/`port`) or Unix (`path`).
 * @group Transports
 */
export type Address = InetAddress | UnixAddress;

/** Two addresses are equal when their host and port (or their paths) are. */
export function addressesEqual(a: Address, b: Address): boolean {
  if ('path' in a || 'path' in b) return 'path' in a && 'path' in b && a.path === b.path;
  return a.host === b.host && a.port === b.port;
}
