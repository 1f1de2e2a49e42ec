/**
 * Starts writerProcess.ts in a child process (under tsx) and talks to it over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { WriterMessage, WriterStatus } from './writerProcess';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = join(__dirname, 'writerProcess.ts');
const START_TIMEOUT_MS = 20_000;

export interface WriterPeer {
  /** The port the writer listens on (127.0.0.1). */
  readonly port: number;
  /** Resolves with the writer's status once every byte was handed to `write()`. */
  readonly written: Promise<WriterStatus>;
  /** Resolves with the error the writer's transport was lost with (or null). */
  readonly closed: Promise<string | null>;
  /** Asks the writer for its current status. */
  status(): Promise<WriterStatus>;
  /** Resolves once the child has exited and its handles are released. */
  readonly exited: Promise<number | null>;
  /** Kills the child if it still runs and waits for it. Idempotent. */
  stop(): Promise<void>;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function statusOf(message: WriterStatus): WriterStatus {
  return {
    bufferSize: message.bufferSize,
    writable: message.writable,
    sawUnwritable: message.sawUnwritable,
    maxBufferSize: message.maxBufferSize,
  };
}

/** Forks the writer; it writes `total` bytes of the pattern payload to its first connection. */
export function startWriterPeer(total: number): Promise<WriterPeer> {
  const child: ChildProcess = fork(SCRIPT, [String(total)], {
    cwd: ROOT,
    // tsx's CommonJS hook is all this CommonJS package needs (see readme.spec.ts's runExample).
    execArgv: ['--require', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((settle) => {
    child.once('exit', (code) => {
      // Let Node release the IPC pipe (close phase) before reporting.
      setImmediate(() =>
        setImmediate(() => {
          settle(code);
        }),
      );
    });
  });
  const written = deferred<WriterStatus>();
  const closed = deferred<string | null>();
  const statusWaiters: ((status: WriterStatus) => void)[] = [];
  const listening = deferred<number>();
  child.on('message', (message: WriterMessage) => {
    switch (message.type) {
      case 'listening':
        listening.resolve(message.port);
        break;
      case 'written':
        written.resolve(statusOf(message));
        break;
      case 'status':
        statusWaiters.shift()?.(statusOf(message));
        break;
      case 'closed':
        closed.resolve(message.error);
        break;
    }
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise<WriterPeer>((resolvePeer, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => {
        reject(new Error(`writer process did not listen within ${START_TIMEOUT_MS} ms`));
      });
    }, START_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`writer process exited (code ${code}) before listening`));
    });
    void listening.promise.then((port) => {
      clearTimeout(timer);
      resolvePeer({
        port,
        written: written.promise,
        closed: closed.promise,
        exited,
        stop,
        status: () =>
          new Promise<WriterStatus>((resolveStatus) => {
            statusWaiters.push(resolveStatus);
            child.send({ type: 'status' });
          }),
      });
    });
  });
}
