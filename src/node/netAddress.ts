import type { AddressInfo } from 'node:net';
import type { Address, InetAddress } from '../core/address.js';

/** Converts Node's address reporting into rxtransport's address objects. @internal */
export function inetAddress(
  host: string | undefined,
  port: number | undefined,
  family: string | undefined,
): InetAddress | undefined {
  if (host === undefined || port === undefined) return undefined;
  return family === 'IPv4' || family === 'IPv6' ? { host, port, family } : { host, port };
}

/** The bound address of a listening or connected socket, as `server.address()` gives it. @internal */
export function fromNodeAddress(
  address: AddressInfo | string | null,
  unixPath?: string,
): Address | undefined {
  if (address === null) return unixPath === undefined ? undefined : { path: unixPath };
  if (typeof address === 'string') return { path: address };
  return inetAddress(address.address, address.port, address.family);
}
