import { connect, type Socket } from 'node:net';
import type { ConnectionOptions, ServerOptions } from '../../src/index.js';
import { HOST, rawServer, type RawServer } from './net.js';
import {
  CIPHER,
  pythonTlsParams,
  rawTlsConnect,
  rawTlsServer,
  rxClientTls,
  rxServerTls,
  type BenchCerts,
} from './tls.js';

/**
 * What a workload runs over: plain TCP, or TLS with the bench's certificates. The same workload
 * code serves both (W1 and W8, W2 and W9); only the sockets and the options differ.
 */
export interface Wire {
  /** A raw Node server on this wire. */
  rawServer(onConnection: (socket: Socket) => void): Promise<RawServer>;
  /** A raw Node client, resolved once it can write (after the handshake on TLS). */
  rawConnect(port: number): Promise<Socket>;
  /** Options added to rxtransport's `createServer`. */
  readonly serverOptions: Partial<ServerOptions>;
  /** Options added to rxtransport's `createConnection`. */
  readonly clientOptions: Partial<ConnectionOptions>;
  /** Parameters added to the python peer's. */
  readonly pythonParams: Record<string, string>;
  /** How the workload's parameters name the connection. */
  readonly connection: string;
}

/** Plain TCP on loopback. */
export const tcpWire: Wire = {
  rawServer: (onConnection) => rawServer(onConnection),
  rawConnect: async (port) => {
    const socket = connect({ host: HOST, port, noDelay: true });
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  },
  serverOptions: {},
  clientOptions: {},
  pythonParams: {},
  connection: 'loopback connection',
};

/** TLS 1.3 on loopback, one cipher suite for every variant. */
export function tlsWire(certs: BenchCerts): Wire {
  return {
    rawServer: (onConnection) => rawTlsServer(certs, onConnection),
    rawConnect: async (port) => {
      const socket = rawTlsConnect(certs, port);
      await new Promise((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      return socket;
    },
    serverOptions: rxServerTls(certs),
    clientOptions: rxClientTls(certs),
    pythonParams: pythonTlsParams(certs),
    connection: `loopback TLS 1.3 connection (${CIPHER}), after the handshake`,
  };
}
