import type { Readable } from 'node:stream';
import type { Protocol } from '../core/protocols.js';
import { openStreamTransport } from './openStreamTransport.js';
import type { ReadPipeTransport } from '../core/transports.js';
import { optionalFunction, requireObject } from '../core/validate.js';
import { readablePipe } from './pipeStream.js';
import { ReadableHandle } from './ReadableHandle.js';

/**
 * Options of {@link connectReadPipe}.
 * @group Factories
 */
export interface ReadPipeOptions {
  /** Protocol factory; without one the transport feeds its Rx surfaces. */
  readonly protocol?: () => Protocol<ReadPipeTransport>;
}

/**
 * Reads a pipe through a transport (asyncio `loop.connect_read_pipe`). `pipe` is an fd number
 * (a FIFO, a pipe end, a socket or a character device) or a Node `Readable`; the transport owns
 * it and closes it. EOF always closes the transport. `getExtraInfo('pipe')` is `pipe`.
 *
 * @example
 * ```ts
 * import { connectReadPipe } from 'rxtransport';
 * const stdin = await connectReadPipe(process.stdin);
 * stdin.data$.subscribe((chunk) => console.log(`${chunk.byteLength} bytes`));
 * ```
 * @throws TypeError `ERR_INVALID_ARG_TYPE`, or `ERR_INVALID_ARG_VALUE` for a regular file.
 * @group Factories
 */
export async function connectReadPipe(
  pipe: number | Readable,
  options: ReadPipeOptions = {},
): Promise<ReadPipeTransport> {
  const opts = requireObject('options', options);
  const protocol = optionalFunction<() => Protocol<ReadPipeTransport>>(
    'options.protocol',
    opts['protocol'],
  );
  const stream = readablePipe(pipe);
  const handle = new ReadableHandle(stream, { pipe });
  return openStreamTransport(handle, protocol, 'read');
}
