import { invalidArgType, outOfRange } from '../core/argErrors.js';
import { WebSocketCloseError } from './errors.js';

/** Close codes that end a connection cleanly: normal closure and going away. */
const CLEAN_CODES = new Set([1000, 1001]);
/** The longest close reason: a control frame's 125 bytes less the 2-byte code (RFC 6455 5.5). */
const MAX_REASON_BYTES = 123;

/**
 * What a close with `code` ends the transport with: null for 1000 and 1001, else the error.
 * @internal
 */
export function closeOutcome(code: number, reason: string, wasClean: boolean): Error | null {
  if (CLEAN_CODES.has(code) && wasClean) return null;
  return new WebSocketCloseError(code, reason, wasClean);
}

/**
 * Checks the code and reason an application closes with: 1000 or 3000 to 4999 (what browsers
 * accept from scripts; the others are the protocol's own), and a reason that fits a frame.
 * @internal
 */
export function checkCloseReason(code: unknown, reason: unknown): [number, string] {
  const checkedCode = code ?? 1000;
  if (typeof checkedCode !== 'number') throw invalidArgType('code', 'of type number', code);
  const allowed =
    Number.isInteger(checkedCode) &&
    (checkedCode === 1000 || (checkedCode >= 3000 && checkedCode <= 4999));
  if (!allowed) throw outOfRange('code', '1000 or an integer from 3000 to 4999', code);
  const checkedReason = reason ?? '';
  if (typeof checkedReason !== 'string') throw invalidArgType('reason', 'of type string', reason);
  const bytes = new TextEncoder().encode(checkedReason).byteLength;
  if (bytes > MAX_REASON_BYTES) {
    throw outOfRange('reason', `at most ${MAX_REASON_BYTES} bytes of UTF-8`, `${bytes} bytes`);
  }
  return [checkedCode, checkedReason];
}
