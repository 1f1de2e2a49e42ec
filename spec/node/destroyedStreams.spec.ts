/**
 * Streams destroyed by their owner under a transport: a pipe's Node stream, a child's stdin
 * once the child exited, a socket destroyed from outside. Destroyed means lost, loudly: a write
 * never counts as sent, `flushed()` rejects and `closed$` emits a `TransportOSError` with code
 * `ERR_STREAM_DESTROYED`; a stream already destroyed is refused by the factory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket, connect } from 'node:net';
import { firstValueFrom } from 'rxjs';
import {
  TransportError,
  TransportOSError,
  connectReadPipe,
  connectWritePipe,
  createConnection,
} from '../../src/index';
import { utf8 } from '../helpers/bytes';
import {
  HOST,
  closedValue,
  rejectionOf,
  socketOf,
  startEchoServer,
  startRawServer,
  useResources,
} from '../helpers/net';
import { useExceptionReports } from '../helpers/exceptions';
import { makeFifo, trackPipe, valueOf } from '../helpers/process';
import { useLeakCheck } from '../helpers/leaks';

const destroyed = expect.objectContaining({ code: 'ERR_STREAM_DESTROYED' });

describe('streams destroyed by their owner', () => {
  const resources = useResources();
  useExceptionReports();
  useLeakCheck(resources);

  /** A child that waits (reading nothing) until it is killed, with every stdio piped. */
  function waitingChild(): ChildProcess {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'pipe',
    });
    resources.defer(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
    });
    return child;
  }

  function exitOf(child: ChildProcess): Promise<unknown> {
    return new Promise((resolve) => child.once('exit', resolve));
  }

  describe('connectWritePipe', () => {
    it('a FIFO socket destroyed after connecting: the write is not sent, closed$ says so', async () => {
      const fifo = makeFifo(resources);
      fifo.openRead();
      const socket = new Socket({
        fd: fifo.handOver(fifo.openWrite()),
        readable: false,
        writable: true,
      });
      const writer = trackPipe(resources, await connectWritePipe(socket));
      socket.destroy();
      // Before and after Node emitted 'close': never accepted as written.
      const lost = firstValueFrom(writer.closed$);
      writer.write(utf8('into a destroyed stream'));
      // flushed() resolves only once every byte was taken: these never are.
      expect(await rejectionOf(writer.flushed())).toEqual(destroyed);
      const exc = await lost;
      expect(exc).toBeInstanceOf(TransportOSError);
      expect(exc).toEqual(destroyed);
      expect(writer.isClosing()).toBe(true);
    });

    it("a child's stdin once the child exited: closed$ reports the loss", async () => {
      const child = waitingChild();
      const stdin = child.stdin;
      if (stdin === null) throw new Error('stdin is piped');
      const writer = trackPipe(resources, await connectWritePipe(stdin));
      const exited = exitOf(child);
      child.kill('SIGKILL');
      await exited;
      expect(await valueOf(writer.closed$, 'closed$ after the child exited')).toEqual(destroyed);
    });

    it("refuses a child's stdin already destroyed, with a typed error", async () => {
      const child = waitingChild();
      const exited = exitOf(child);
      child.kill('SIGKILL');
      await exited;
      const stdin = child.stdin;
      if (stdin === null) throw new Error('stdin is piped');
      expect(stdin.destroyed).toBe(true);
      const error = await rejectionOf(connectWritePipe(stdin));
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toEqual(destroyed);
    });
  });

  describe('connectReadPipe', () => {
    it("a child's stdout destroyed (no error, no 'end'): closed$ reports the loss", async () => {
      const child = waitingChild();
      const stdout = child.stdout;
      if (stdout === null) throw new Error('stdout is piped');
      const reader = trackPipe(resources, await connectReadPipe(stdout));
      stdout.destroy();
      const exc = await valueOf(reader.closed$, 'closed$ after destroy()');
      expect(exc).toBeInstanceOf(TransportOSError);
      expect(exc).toEqual(destroyed);
    });

    it('refuses a Readable already destroyed, with a typed error', async () => {
      const child = waitingChild();
      const stdout = child.stdout;
      if (stdout === null) throw new Error('stdout is piped');
      stdout.destroy();
      const error = await rejectionOf(connectReadPipe(stdout));
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toEqual(destroyed);
    });

    it('still ends cleanly on EOF (the destroy that follows is not a loss)', async () => {
      const child = spawn(process.execPath, ['-e', 'process.stdout.write("bye")'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const stdout = child.stdout;
      if (stdout === null) throw new Error('stdout is piped');
      const exited = exitOf(child);
      const reader = trackPipe(resources, await connectReadPipe(stdout));
      reader.data$.subscribe();
      expect(await valueOf(reader.closed$, 'closed$ at EOF')).toBeNull();
      await exited;
    });
  });

  describe('streams that ended before the transport got them', () => {
    it('connectWritePipe refuses a Writable already ended, with a typed error', async () => {
      const child = waitingChild();
      const stdin = child.stdin;
      if (stdin === null) throw new Error('stdin is piped');
      stdin.end();
      const error = await rejectionOf(connectWritePipe(stdin));
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    });

    it('connectReadPipe over a Readable that already ended gives EOF at once', async () => {
      // A half-open TCP socket: its peer's EOF was read, its write side is still open.
      const { firstSocket, port } = await startRawServer(resources);
      const socket = resources.rawSocket(connect({ host: HOST, port, allowHalfOpen: true }));
      (await firstSocket).end('early');
      const ended = new Promise((resolve) => socket.once('end', resolve));
      socket.resume();
      await ended;
      socket.pause();
      expect(socket.readableEnded).toBe(true);
      expect(socket.destroyed).toBe(false);
      const reader = trackPipe(resources, await connectReadPipe(socket));
      reader.data$.subscribe();
      expect(await valueOf(reader.closed$, 'closed$ at the EOF already read')).toBeNull();
    });
  });

  describe('sockets', () => {
    it('a TCP socket destroyed from outside: a write is not sent, closed$ reports it', async () => {
      const { port } = await startEchoServer(resources);
      const transport = resources.transport(await createConnection({ host: HOST, port }));
      socketOf(transport).destroy();
      transport.write(utf8('not sent'));
      const flushed = rejectionOf(transport.flushed());
      const exc = await closedValue(transport);
      expect(exc).toBeInstanceOf(TransportOSError);
      expect(exc).toEqual(destroyed);
      expect(await flushed).toEqual(destroyed);
    });

    it('a TCP socket destroyed from outside while idle: closed$ reports it', async () => {
      const { port } = await startEchoServer(resources);
      const transport = resources.transport(await createConnection({ host: HOST, port }));
      socketOf(transport).destroy();
      expect(await valueOf(transport.closed$, 'closed$ after destroy()')).toEqual(destroyed);
    });
  });
});
