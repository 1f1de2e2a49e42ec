import { callReporting } from './exceptionHandler.js';
import type { Protocol, SubprocessProtocol } from './protocols.js';

/**
 * The protocol of a child's pipe transport when the subprocess has a user protocol: it hands
 * each pipe event to the subprocess protocol, as asyncio's subprocess pipe protocols do [X5].
 * What `pipeDataReceived` throws is reported, not fatal: API.md names only the stream data
 * callbacks as fatal. Pipe loss is reported by the subprocess transport itself.
 * @internal
 */
export function forwardingPipeProtocol<T>(
  fd: 0 | 1 | 2,
  target: () => SubprocessProtocol<T>,
): Protocol {
  return {
    dataReceived: (data) => {
      callReporting(
        'Exception in protocol.pipeDataReceived()',
        () => target().pipeDataReceived?.(fd, data),
        {
          protocol: target(),
        },
      );
    },
    pauseWriting: () => target().pauseWriting?.(),
    resumeWriting: () => target().resumeWriting?.(),
  };
}
