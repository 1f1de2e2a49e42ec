/** Raw `net` peers, for playing a side that rxtransport does not drive. */
import * as net from 'node:net';
import type { Resources } from './resources';
import { HOST } from './sockets';

/** A raw `net` server for playing a peer that rxtransport does not drive. */
export interface RawServer {
  readonly server: net.Server;
  readonly port: number;
  /** Sockets accepted so far. */
  readonly sockets: net.Socket[];
  /** The first socket accepted. */
  readonly firstSocket: Promise<net.Socket>;
}

/** What a raw socket received until it ended. */
export interface RawReceipt {
  readonly data: Buffer;
  /** 'end' for a clean EOF, else the error code reported ('ECONNRESET', ...). */
  readonly ending: string;
}

/** Reads a raw socket to its end, keeping everything. */
export function readAll(socket: net.Socket): Promise<RawReceipt> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (ending: string): void => {
      if (done) return;
      done = true;
      resolve({ data: Buffer.concat(chunks), ending });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      finish('end');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish(error.code ?? error.message);
    });
    socket.on('close', () => {
      finish('close');
    });
  });
}

/** Starts a tracked raw `net` server on 127.0.0.1, port 0. */
export async function startRawServer(
  resources: Resources,
  onConnection: (socket: net.Socket) => void = () => undefined,
): Promise<RawServer> {
  const sockets: net.Socket[] = [];
  let first!: (socket: net.Socket) => void;
  const firstSocket = new Promise<net.Socket>((resolve) => (first = resolve));
  const server = resources.rawServer(
    net.createServer({ allowHalfOpen: true }, (socket) => {
      sockets.push(socket);
      first(socket);
      onConnection(socket);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return { server, port: (server.address() as net.AddressInfo).port, sockets, firstSocket };
}
