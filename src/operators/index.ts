/**
 * Operators of rxtransport: backpressure and framing.
 * @packageDocumentation
 */
export { FrameTooLargeError } from '../core/errors.js';
export { lines, type LinesOptions } from './lines.js';
export { utf8Encode } from './utf8Encode.js';
export { pipeline, type PipelineOptions } from './pipeline.js';
export { pauseWhile } from './pauseWhile.js';
export { mapWithBackpressure, type MapWithBackpressureOptions } from './mapWithBackpressure.js';
