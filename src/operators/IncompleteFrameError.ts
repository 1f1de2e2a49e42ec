import { TransportError } from '../core/errors.js';

/**
 * The source completed in the middle of a frame: part of a header, or a payload shorter than its
 * header announced. asyncio's nearest equivalent is the `IncompleteReadError` of
 * `StreamReader.readexactly()`.
 */
export class IncompleteFrameError extends TransportError {
  override name = 'IncompleteFrameError';
  declare readonly code: 'ERR_INCOMPLETE_FRAME';

  constructor(message = 'The source completed inside a frame', options?: ErrorOptions) {
    super('ERR_INCOMPLETE_FRAME', message, options);
  }
}
