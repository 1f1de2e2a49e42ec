/**
 * Operators of rxtransport: backpressure and framing.
 * @packageDocumentation
 * @module rxtransport/operators
 */
export { FrameTooLargeError, IncompleteFrameError } from '../core/errors.js';
export { lines, type LinesOptions } from './lines.js';
export { utf8Encode } from './utf8Encode.js';
export { pipeline, type PipelineOptions } from './pipeline.js';
export { pauseWhile } from './pauseWhile.js';
export { mapWithBackpressure, type MapWithBackpressureOptions } from './mapWithBackpressure.js';
export { delimited, type DelimitedOptions } from './delimited.js';
export { encodeLengthPrefixed, type EncodeLengthPrefixedOptions } from './encodeLengthPrefixed.js';
export { lengthPrefixed, type LengthPrefixedOptions } from './lengthPrefixed.js';
export { utf8Decode } from './utf8Decode.js';
