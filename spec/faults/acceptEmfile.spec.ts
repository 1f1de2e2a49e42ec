/**
 * A server out of file descriptors (EMFILE on accept), on real sockets: the server runs in a
 * child process whose fd limit is 64 (`ulimit -n 64`), and more clients connect than
 * it has fds for. What Node 20 does [E5 differs]: libuv's "EMFILE trick" closes a spare fd it
 * keeps, accepts the pending connections and closes them at once, then takes the spare fd back.
 * No 'error' reaches net.Server and nothing reaches the exception handler; the clients see
 * their connection closed (EOF, or a reset if they had sent data); the server keeps serving,
 * and accepts again once fds are free.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { EmfileMessage } from '../helpers/emfileServer';
import { HOST, useResources, waitFor } from '../helpers/net';
import { useLeakCheck } from '../helpers/leaks';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = join(__dirname, '..', 'helpers', 'emfileServer.ts');
const FD_LIMIT = 64;
/** More clients than the child has fds for. */
const CLIENTS = 150;

describe('accept when the server is out of file descriptors (EMFILE)', () => {
  const resources = useResources();
  useLeakCheck(resources);

  /** The server child under a low fd limit, and what it told so far. */
  async function startServerChild(): Promise<{
    child: ChildProcess;
    port: number;
    accepted: () => number;
    reports: EmfileMessage[];
    freed: Promise<void>;
  }> {
    const child = fork(SCRIPT, [], {
      cwd: ROOT,
      // sh lowers its fd limit, then becomes node: `$0` is node, `$@` its arguments.
      execPath: '/bin/sh',
      execArgv: [
        '-c',
        `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`,
        process.execPath,
        '--require',
        'tsx/cjs',
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((settle) =>
      child.once('exit', () => {
        settle();
      }),
    );
    resources.defer(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let accepted = 0;
    const reports: EmfileMessage[] = [];
    let onFreed!: () => void;
    const freed = new Promise<void>((settle) => (onFreed = settle));
    const port = await new Promise<number>((settle, fail) => {
      child.once('exit', (code) => {
        fail(new Error(`server child exited early (${code})`));
      });
      child.on('message', (message: EmfileMessage) => {
        if (message.type === 'listening') settle(message.port);
        else if (message.type === 'accepted') accepted = message.count;
        else if (message.type === 'report') reports.push(message);
        else onFreed();
      });
    });
    return { child, port, accepted: () => accepted, reports, freed };
  }

  /** A client that records whether the server closed it (EOF, reset or any close). */
  function client(port: number): { socket: Socket; closedByServer: () => boolean } {
    const socket = resources.rawSocket(connect({ host: HOST, port, allowHalfOpen: true }));
    let closed = false;
    socket.on('error', () => (closed = true));
    socket.on('end', () => (closed = true));
    socket.on('close', () => (closed = true));
    socket.resume();
    return { socket, closedByServer: () => closed };
  }

  it('accepts and closes what it has no fd for, reports nothing, and serves again once fds are free', async () => {
    const server = await startServerChild();
    const clients = Array.from({ length: CLIENTS }, () => client(server.port));
    const closedCount = (): number => clients.filter((c) => c.closedByServer()).length;
    // Every client ends up either held by the server or closed by it.
    await waitFor(
      () => server.accepted() + closedCount() === CLIENTS,
      'every client to be either accepted or closed by the server',
      30_000,
    );
    expect(server.accepted()).toBeLessThan(FD_LIMIT);
    expect(server.accepted()).toBeGreaterThan(0);
    expect(closedCount()).toBe(CLIENTS - server.accepted());
    // No signal at all: no 'error' on net.Server, nothing for the exception handler.
    expect(server.reports).toEqual([]);
    expect(server.child.exitCode).toBeNull();

    // Once the server lets its connections go, it accepts (and keeps) new ones again.
    const before = server.accepted();
    server.child.send('free');
    await server.freed;
    const late = client(server.port);
    await waitFor(() => server.accepted() === before + 1, 'the server to accept a new client');
    expect(late.closedByServer()).toBe(false);
    expect(server.reports).toEqual([]);
  });
});
