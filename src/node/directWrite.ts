import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** The parts of a `net.Socket` a direct write needs (`_handle` is internal but long-stable). */
interface SocketInternals {
  readonly _handle?: {
    readonly fd?: number;
    readonly constructor: { readonly name: string };
  } | null;
  readonly connecting?: boolean;
}

/**
 * libuv opens TCP and pipe handles non-blocking, so a `write(2)` on their fd never blocks the
 * event loop. Other handles (a TTY may be blocking), the process's own stdout and stderr, and
 * platforms without an fd get none.
 */
const NON_BLOCKING_HANDLES = new Set(['TCP', 'Pipe']);

/**
 * Returns asyncio's `sock.send()` for a socket or pipe stream: one non-blocking `write(2)` on
 * its fd that returns how many bytes the kernel took and keeps no reference to them. It writes
 * only while the stream has nothing queued, so bytes never overtake the stream's own writes.
 * Any failure returns 0: the stream's next write meets the same condition and reports it
 * through 'error', the one path every error takes. Null when the stream has no usable fd.
 *
 * Bytes written this way do not count in the socket's `bytesWritten`.
 * @internal
 */
export function directWriter(stream: Writable): ((bytes: Uint8Array) => number) | null {
  // Node makes the process's stdout and stderr pipes blocking: a direct write to one could
  // stall the event loop behind a slow reader.
  if (stream === process.stdout || stream === process.stderr) return null;
  const internals = stream as unknown as SocketInternals;
  const handle = internals._handle;
  if (!handle || !NON_BLOCKING_HANDLES.has(handle.constructor.name)) return null;
  if (typeof handle.fd !== 'number' || handle.fd < 0) return null;
  return (bytes) => {
    const fd = internals._handle?.fd;
    if (
      fd === undefined ||
      fd < 0 ||
      stream.writableLength > 0 ||
      internals.connecting === true ||
      !stream.writable
    ) {
      return 0;
    }
    // A full socket buffer (EAGAIN) is the common failure: Node reports it as an exception,
    // whose stack trace would cost more than the system call. None is wanted here.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return writeSync(fd, bytes, 0, bytes.byteLength);
    } catch {
      return 0;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  };
}
