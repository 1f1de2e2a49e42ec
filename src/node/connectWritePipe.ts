import type { Writable } from 'node:stream';
import type { Protocol } from '../core/protocols.js';
import { openStreamTransport } from './openStreamTransport.js';
import type { WritePipeTransport } from '../core/transports.js';
import { optionalFunction, requireObject } from '../core/validate.js';
import { writablePipe } from './pipeStream.js';
import { WritableHandle } from './WritableHandle.js';

/**
 * Options of {@link connectWritePipe}.
 * @group Factories
 */
export interface WritePipeOptions {
  /** Protocol factory; without one the transport is used through `write`/`sink`. */
  readonly protocol?: () => Protocol<WritePipeTransport>;
}

/**
 * Writes to a pipe through a transport (asyncio `loop.connect_write_pipe`). `pipe` is an fd
 * number (a FIFO, a pipe end, a socket or a character device) or a Node `Writable`; the
 * transport owns it and closes it. `writeEof()` closes after flushing; a reader that went
 * away is reported as a `BrokenPipeError` on `closed$` at the next write.
 *
 * @example
 * ```ts
 * import { connectWritePipe } from 'rxtransport';
 * const out = await connectWritePipe(process.stdout);
 * out.write(new TextEncoder().encode('hello\n'));
 * await out.drain();
 * ```
 * @throws TypeError `ERR_INVALID_ARG_TYPE`, or `ERR_INVALID_ARG_VALUE` for a regular file.
 * @group Factories
 */
export async function connectWritePipe(
  pipe: number | Writable,
  options: WritePipeOptions = {},
): Promise<WritePipeTransport> {
  const opts = requireObject('options', options);
  const protocol = optionalFunction<() => Protocol<WritePipeTransport>>(
    'options.protocol',
    opts['protocol'],
  );
  const stream = writablePipe(pipe);
  const handle = new WritableHandle(stream, { pipe });
  return openStreamTransport(handle, protocol, 'write');
}
