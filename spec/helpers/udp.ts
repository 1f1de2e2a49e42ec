/**
 * Real-UDP helpers for the createDatagramEndpoint specs: a tracker that closes every endpoint and
 * raw dgram peer after each test, host capability switches (IPv6 loopback, Linux-only
 * behaviour), and small shared fixtures.
 */
import * as dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { firstValueFrom } from 'rxjs';
import type { InetAddress } from '../../src/core/address';
import type { DatagramTransport } from '../../src/core/datagramTransports';
import {
  createDatagramEndpoint,
  type DatagramEndpointOptions,
} from '../../src/node/createDatagramEndpoint';
import { HOST } from './sockets';
import { turns } from './waits';

export const HOST6 = '::1';

export const hasIPv6Loopback = Object.values(networkInterfaces()).some((list) =>
  list?.some((info) => info.family === 'IPv6' && info.address === HOST6),
);
if (!hasIPv6Loopback) {
  console.warn('IPv6 datagram specs skipped: this host has no ::1 loopback interface');
}
export const withIPv6 = hasIPv6Loopback ? it : it.skip;

// ICMP errors on connected UDP sockets and 127.255.255.255 as loopback broadcast are Linux's.
export const onLinux = process.platform === 'linux' ? it : it.skip;
if (process.platform !== 'linux') {
  console.warn('Linux-only datagram specs (ICMP errors, loopback broadcast) skipped');
}

export function sockname(endpoint: DatagramTransport): InetAddress {
  const addr = endpoint.getExtraInfo('sockname');
  if (!addr || 'path' in addr) throw new Error('endpoint has no Internet sockname');
  return addr;
}

/** What getaddrinfo reports for a name that does not resolve (EAI_AGAIN without DNS). */
export const resolveFailure = expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/);

export const text = (data: Uint8Array): string => Buffer.from(data).toString();

/** A raw dgram socket playing a peer that rxtransport does not drive. */
export interface RawPeer {
  readonly socket: dgram.Socket;
  readonly port: number;
  readonly received: { data: Buffer; from: dgram.RemoteInfo }[];
}

/** Tracks endpoints and raw sockets, closing everything after each test. */
export class Tracker {
  private endpoints: DatagramTransport[] = [];
  private sockets: dgram.Socket[] = [];
  private cleanups: (() => Promise<void>)[] = [];

  endpoint<T extends DatagramTransport>(endpoint: T): T {
    this.endpoints.push(endpoint);
    return endpoint;
  }

  async open(options: DatagramEndpointOptions): Promise<DatagramTransport> {
    return this.endpoint(await createDatagramEndpoint(options));
  }

  async peer(type: 'udp4' | 'udp6' = 'udp4', host = HOST): Promise<RawPeer> {
    const socket = dgram.createSocket(type);
    this.sockets.push(socket);
    const received: RawPeer['received'] = [];
    socket.on('message', (data, from) => received.push({ data, from }));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return { socket, port: socket.address().port, received };
  }

  defer(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async dispose(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    for (const endpoint of this.endpoints.splice(0)) {
      endpoint.abort();
      await firstValueFrom(endpoint.closed$);
    }
    await Promise.all(
      this.sockets.splice(0).map(
        (socket) =>
          new Promise<void>((resolve) => {
            try {
              socket.close(resolve);
            } catch {
              resolve(); // already closed
            }
          }),
      ),
    );
    await turns(3);
  }
}

/** Datagram `index` of the ping-pong exchanges: its index, then a pattern of varying length. */
export function numbered(index: number): Uint8Array {
  const data = Buffer.alloc(4 + (index % 512));
  data.writeUInt32BE(index, 0);
  for (let k = 4; k < data.length; k++) data[k] = (index + k) & 0xff;
  return data;
}
