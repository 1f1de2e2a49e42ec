/**
 * Operators of rxtransport: backpressure and framing.
 * @packageDocumentation
 */
export { FrameTooLargeError } from '../core/errors.js';
