import { asapScheduler } from 'rxjs';
import type { CallSoon } from '../core/callSoon.js';
import { osError } from '../core/osErrors.js';

const encoder = new TextEncoder();

/**
 * The deferral of every marble form: asapScheduler runs in virtual time inside
 * `TestScheduler.run`, so deferred callbacks stay on their frame.
 * @internal
 */
export const marbleCallSoon: CallSoon = (callback) => void asapScheduler.schedule(callback);

/** A marble value as bytes: strings are UTF-8 encoded. @internal */
export function marbleBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** The values of a byte marble, encoded; `undefined` lets each letter stand for itself. @internal */
export function encodeValues(
  values: Readonly<Record<string, string | Uint8Array>> | undefined,
): Record<string, Uint8Array> | undefined {
  if (!values) return undefined;
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, marbleBytes(value)]),
  );
}

/** What `#` stands for in a stream marble when no `error` is given: the peer reset. @internal */
export function defaultReset(): Error {
  return osError('ECONNRESET', 'read ECONNRESET (a reset drawn in a marble)', { syscall: 'read' });
}
