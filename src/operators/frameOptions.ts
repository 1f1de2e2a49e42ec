import { invalidArgType, outOfRange } from '../core/argErrors.js';

/**
 * Checks an optional size limit (`maxLength`, `maxFrame`): an integer >= 0, or `Infinity`, the
 * default.
 * @internal
 */
export function checkSizeLimit(name: string, value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (value !== Number.POSITIVE_INFINITY && !(Number.isInteger(value) && value >= 0)) {
    throw outOfRange(name, 'an integer >= 0 or Infinity', value);
  }
  return value;
}

/** Checks a length-prefix header size: 1, 2 or 4 bytes. @internal */
export function checkHeaderBytes(value: unknown): 1 | 2 | 4 {
  if (typeof value !== 'number')
    throw invalidArgType('options.headerBytes', 'of type number', value);
  if (value !== 1 && value !== 2 && value !== 4)
    throw outOfRange('options.headerBytes', '1, 2 or 4', value);
  return value;
}
