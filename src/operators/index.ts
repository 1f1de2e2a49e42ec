/**
 * Operators of rxtransport: backpressure and framing.
 * @packageDocumentation
 */
export { FrameTooLargeError } from '../core/errors.js';
export { lines, type LinesOptions } from './lines.js';
export { utf8Encode } from './utf8Encode.js';
