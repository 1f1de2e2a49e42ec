/**
 * Bad-argument errors: the platform's own classes with Node's codes, as API.md specifies.
 * @internal
 */

/** A `TypeError` with a Node-style `code`. */
export type CodedTypeError = TypeError & {
  readonly code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE';
};
/** A `RangeError` with a Node-style `code`. */
export type CodedRangeError = RangeError & { readonly code: 'ERR_OUT_OF_RANGE' };

/** Describes a received value for an error message without dumping large objects. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `type string ('${value.length > 20 ? value.slice(0, 20) + '...' : value}')`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    return `an instance of ${typeof ctor?.name === 'string' ? ctor.name : 'Object'}`;
  }
  // Only primitives other than strings reach here.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return `type ${typeof value} (${String(value)})`;
}

function withCode<E extends Error, C extends string>(error: E, code: C): E & { readonly code: C } {
  Object.defineProperty(error, 'code', { value: code, enumerable: true });
  return error as E & { readonly code: C };
}

/** `TypeError` `ERR_INVALID_ARG_TYPE`: the argument has the wrong type (asyncio: `TypeError`). */
export function invalidArgType(name: string, expected: string, actual: unknown): CodedTypeError {
  return withCode(
    new TypeError(`The "${name}" argument must be ${expected}. Received ${describeValue(actual)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

/** `TypeError` `ERR_INVALID_ARG_VALUE`: a well-typed but unacceptable value (asyncio: `ValueError`). */
export function invalidArgValue(name: string, reason: string): CodedTypeError {
  return withCode(new TypeError(`The argument "${name}" ${reason}`), 'ERR_INVALID_ARG_VALUE');
}

/** `RangeError` `ERR_OUT_OF_RANGE`. */
export function outOfRange(name: string, range: string, actual: unknown): CodedRangeError {
  return withCode(
    new RangeError(
      `The value of "${name}" is out of range. It must be ${range}. Received ${String(actual)}`,
    ),
    'ERR_OUT_OF_RANGE',
  );
}
