import { createReadStream, createWriteStream, fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { ReadStream as TtyReadStream, WriteStream as TtyWriteStream, isatty } from 'node:tty';
import { invalidArgType, invalidArgValue } from '../core/argErrors.js';
import { toTransportError } from '../core/osErrors.js';
import { refuseDestroyed } from './destroyedStream.js';

/**
 * Opens a Node stream over a pipe given as an fd number, as asyncio's pipe transports accept
 * them [P1]: FIFOs and sockets through `net.Socket`, TTYs through `tty`, other character
 * devices through `fs` streams. Regular files and directories are refused.
 * @internal
 */
function streamOverFd(fd: number, direction: 'read' | 'write'): Readable | Writable {
  if (!Number.isInteger(fd) || fd < 0)
    throw invalidArgValue('pipe', `must be a file descriptor, got ${fd}`);
  let stats;
  try {
    stats = fstatSync(fd);
  } catch (error) {
    throw toTransportError(error);
  }
  if (stats.isFIFO() || stats.isSocket()) {
    try {
      return new Socket({
        fd,
        readable: direction === 'read',
        writable: direction === 'write',
        allowHalfOpen: true,
      });
    } catch (error) {
      // Node refuses an fd it already watches (EEXIST) by throwing.
      throw toTransportError(error);
    }
  }
  if (stats.isCharacterDevice()) {
    if (isatty(fd)) return direction === 'read' ? new TtyReadStream(fd) : new TtyWriteStream(fd);
    return direction === 'read'
      ? createReadStream('', { fd, autoClose: true })
      : createWriteStream('', { fd, autoClose: true });
  }
  throw invalidArgValue(
    'pipe',
    'must be a pipe, a socket or a character device (a pipe transport is for pipes only)',
  );
}

/** The Readable behind a `connectReadPipe` argument. @internal */
export function readablePipe(pipe: unknown): Readable {
  if (typeof pipe === 'number') return streamOverFd(pipe, 'read') as Readable;
  if (pipe instanceof Readable) return refuseDestroyed(pipe, 'pipe stream');
  throw invalidArgType('pipe', 'a file descriptor number or a Readable stream', pipe);
}

/** The Writable behind a `connectWritePipe` argument. @internal */
export function writablePipe(pipe: unknown): Writable {
  if (typeof pipe === 'number') return streamOverFd(pipe, 'write') as Writable;
  if (pipe instanceof Writable || pipe instanceof Socket) {
    if (pipe.writableEnded && !pipe.destroyed)
      throw invalidArgValue('pipe', 'has ended (end() was called): nothing can be written to it');
    return refuseDestroyed(pipe, 'pipe stream');
  }
  throw invalidArgType('pipe', 'a file descriptor number or a Writable stream', pipe);
}
