/**
 * Real-socket helpers for the Node adapter specs: resource tracking (everything a test opens is
 * closed in `afterEach`), polling waits, collectors and raw `net` peers.
 *
 * Waits poll a condition instead of sleeping for a fixed time, so no spec depends on how fast
 * the machine is; a wait that times out fails the test with its description.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, type Observable } from 'rxjs';
import {
  createServer,
  type InetAddress,
  type Server,
  type ServerOptions,
  type SocketTransport,
} from '../../src/index';

export const HOST = '127.0.0.1';
export const KiB = 1024;
export const MiB = 1024 * 1024;

/** Resolves after `n` turns of the event loop (each one a `setImmediate`). */
export async function turns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every few milliseconds; rejects naming `what` if it is not met in time. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(2);
  }
}

/**
 * Resolves once `read()` has kept the same value over `samples` polls `intervalMs` apart (a
 * transfer that has stalled), with that value.
 */
export async function waitForStable(
  read: () => number,
  what: string,
  { samples = 5, intervalMs = 20, timeoutMs = 10_000 } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let same = 0;
  while (same < samples) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms: ${what} kept changing`);
    await delay(intervalMs);
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/** Whether `promise` has settled after a few turns of the event loop (it is left running). */
export async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await turns(5);
  await delay(20);
  return settled;
}

/**
 * Everything a stream of chunks carried, once it completes; rejects if it errors. The promise
 * counts as handled, so that a test failing before awaiting it reports only its own failure.
 */
export function collect(data$: Observable<Uint8Array>): Promise<Buffer> {
  const promise = new Promise<Buffer>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    data$.subscribe({
      next: (chunk) => chunks.push(chunk),
      error: reject,
      complete: () => {
        resolve(Buffer.concat(chunks));
      },
    });
  });
  promise.catch(() => undefined);
  return promise;
}

/** What `data$` did: its chunks so far, and how it ended (if it has). */
export interface Recording {
  readonly chunks: Uint8Array[];
  bytes(): Buffer;
  ended: 'complete' | 'error' | null;
  error: unknown;
}

/** Subscribes to `data$` and records everything it emits. */
export function record(data$: Observable<Uint8Array>): Recording {
  const recording: Recording = {
    chunks: [],
    bytes: () => Buffer.concat(recording.chunks),
    ended: null,
    error: undefined,
  };
  data$.subscribe({
    next: (chunk) => recording.chunks.push(chunk),
    error: (error: unknown) => {
      recording.ended = 'error';
      recording.error = error;
    },
    complete: () => {
      recording.ended = 'complete';
    },
  });
  return recording;
}

/** The value `closed$` emits (the error, or null). */
export function closedValue(transport: SocketTransport): Promise<Error | null> {
  return firstValueFrom(transport.closed$);
}

/** The `net.Socket` under a transport. */
export function socketOf(transport: SocketTransport): net.Socket {
  const socket = transport.getExtraInfo('socket');
  if (!(socket instanceof net.Socket)) throw new Error('transport has no net.Socket');
  return socket;
}

/** The TCP address a server is bound to. */
export function inetAddressOf(server: Server): InetAddress {
  const address = server.address();
  if ('path' in address) throw new Error('not a TCP server');
  return address;
}

/** A path for a Unix socket under the OS temporary directory, unique to this process. */
let pathCounter = 0;
export function tmpSocketPath(): string {
  pathCounter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return join(tmpdir(), `rxt-${process.pid}-${pathCounter}-${random}.sock`);
}

/**
 * Leaves a stale Unix socket file at `path`: a child process binds it and dies by SIGKILL, so
 * nobody unlinks it.
 */
export function makeStaleSocketFile(path: string): void {
  const script =
    "const s = require('net').createServer();" +
    "s.listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'));";
  spawnSync(process.execPath, ['-e', script, path], { stdio: 'ignore', timeout: 10_000 });
  if (!existsSync(path)) throw new Error(`could not leave a stale socket file at ${path}`);
}

/** Network handles (sockets, servers, pipes) the process holds open. */
export function netHandleCount(): number {
  return process
    .getActiveResourcesInfo()
    .filter((name) => /^(TCP|Pipe)(Socket|Server)?Wrap$/.test(name)).length;
}

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

/**
 * Tracks everything a test opens and closes it after the test, waiting until the handles are
 * really gone, so that jest exits by itself (`--detectOpenHandles` stays quiet).
 */
export class Resources {
  private transports: SocketTransport[] = [];
  private servers: Server[] = [];
  private rawServers: net.Server[] = [];
  private rawSockets: net.Socket[] = [];
  private paths: string[] = [];
  private cleanups: (() => void | Promise<void>)[] = [];

  /** Tracks a transport (aborted after the test unless already closed). */
  transport<T extends SocketTransport>(transport: T): T {
    this.transports.push(transport);
    return transport;
  }

  /** Tracks a server (closed, clients aborted, after the test). */
  server(server: Server): Server {
    // Not subscribing to connections$ here: that would take the queued connections from the
    // test's own first subscriber. abortClients() and waitClosed() cover accepted connections.
    this.servers.push(server);
    return server;
  }

  /** Tracks a raw `net` server and the sockets it accepts. */
  rawServer(server: net.Server): net.Server {
    this.rawServers.push(server);
    server.on('connection', (socket: net.Socket) => this.rawSockets.push(socket));
    return server;
  }

  /** Tracks a raw socket (destroyed after the test). */
  rawSocket(socket: net.Socket): net.Socket {
    this.rawSockets.push(socket);
    return socket;
  }

  /** A file to unlink after the test if it still exists. */
  path(path: string): string {
    this.paths.push(path);
    return path;
  }

  /** Anything else to run after the test. */
  defer(cleanup: () => void | Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async dispose(): Promise<void> {
    const cleanups = this.cleanups.splice(0).reverse();
    for (const cleanup of cleanups) await cleanup();
    for (const server of this.servers.splice(0)) {
      server.close();
      server.abortClients();
      await server.waitClosed();
    }
    for (const transport of this.transports.splice(0)) {
      transport.abort();
      await closedValue(transport);
    }
    for (const socket of this.rawSockets.splice(0)) socket.destroy();
    await Promise.all(
      this.rawServers.splice(0).map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) {
              resolve();
              return;
            }
            server.close(() => {
              resolve();
            });
          }),
      ),
    );
    for (const path of this.paths.splice(0)) {
      if (existsSync(path)) unlinkSync(path);
    }
    // Node releases handles in the loop's close phase, a turn or two after destroy().
    await turns(3);
  }
}

/** A `Resources` disposed after each test of the enclosing `describe`. */
export function useResources(): Resources {
  const resources = new Resources();
  afterEach(() => resources.dispose());
  return resources;
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

/** A tracked rxtransport TCP server on 127.0.0.1, port 0. */
export async function startServer(
  resources: Resources,
  options: Omit<ServerOptions, 'port' | 'host'> = {},
): Promise<{ server: Server; port: number }> {
  const server = resources.server(await createServer({ host: HOST, port: 0, ...options }));
  return { server, port: inetAddressOf(server).port };
}

/**
 * A tracked TCP echo server using the Rx surfaces: each connection's `data$` feeds its own
 * `sink`, so EOF from the client half-closes back and the connection then closes itself.
 */
export async function startEchoServer(
  resources: Resources,
): Promise<{ server: Server; port: number; clients: SocketTransport[] }> {
  const { server, port } = await startServer(resources);
  const clients: SocketTransport[] = [];
  server.connections$.subscribe((client) => {
    clients.push(client);
    client.data$.subscribe(client.sink);
  });
  return { server, port, clients };
}

/** The first connection `server.connections$` emits from now on. */
export function nextConnection(server: Server): Promise<SocketTransport> {
  return firstValueFrom(server.connections$);
}

/** A port on 127.0.0.1 where nothing listens (it was bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/** Expects `promise` to reject, and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Expects `fn` to throw, and returns what it threw. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but the call returned');
}
