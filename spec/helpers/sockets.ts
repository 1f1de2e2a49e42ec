/**
 * Sockets for the Node adapter specs: the loopback host, the `net.Socket` or address behind a
 * transport or server, Unix socket paths (stale ones too), free ports and a count of the
 * network handles the process holds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InetAddress, Server, SocketTransport } from '../../src/index';

export const HOST = '127.0.0.1';

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
