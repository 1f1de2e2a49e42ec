import { describeValue } from './argErrors.js';
import { TransportError } from './errors.js';

/**
 * What the OS reported, as a platform error carries it (Node's `ErrnoException` shape).
 * @group Errors
 */
export interface OSErrorDetails {
  readonly errno?: number | undefined;
  readonly syscall?: string | undefined;
  readonly cause?: unknown;
}

/**
 * An error reported by the operating system (asyncio: `OSError`). `code` is the errno name
 * (`'ECONNREFUSED'`, `'EADDRINUSE'`, ...); the platform's own error is kept as `cause`.
 * @group Errors
 */
export class TransportOSError extends TransportError {
  override name = 'TransportOSError';
  /** The numeric errno as the platform reports it (negative in Node), when known. */
  readonly errno: number | undefined;
  /** The system call that failed (`'connect'`, `'read'`, ...), when known. */
  readonly syscall: string | undefined;

  constructor(code: string, message: string, details: OSErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.errno = details.errno;
    this.syscall = details.syscall;
  }
}

/**
 * The peer refused the connection (`ECONNREFUSED`); asyncio `ConnectionRefusedError`.
 * @group Errors
 */
export class ConnectionRefusedError extends TransportOSError {
  override name = 'ConnectionRefusedError';
}

/**
 * The peer reset the connection (`ECONNRESET`); asyncio `ConnectionResetError`.
 * @group Errors
 */
export class ConnectionResetError extends TransportOSError {
  override name = 'ConnectionResetError';
}

/**
 * Writing to a pipe or socket whose reader is gone (`EPIPE`); asyncio `BrokenPipeError`.
 * @group Errors
 */
export class BrokenPipeError extends TransportOSError {
  override name = 'BrokenPipeError';
}

/**
 * Signalling a process that no longer exists (`ESRCH`); asyncio `ProcessLookupError`.
 * @group Errors
 */
export class ProcessLookupError extends TransportOSError {
  override name = 'ProcessLookupError';
}

/**
 * The connection was aborted (`ECONNABORTED`); asyncio `ConnectionAbortedError`, which a TLS
 * handshake that takes longer than its timeout raises.
 * @group Errors
 */
export class ConnectionAbortedError extends TransportOSError {
  override name = 'ConnectionAbortedError';
}

const subclassByCode: Readonly<Record<string, typeof TransportOSError>> = {
  ECONNABORTED: ConnectionAbortedError,
  ECONNREFUSED: ConnectionRefusedError,
  ECONNRESET: ConnectionResetError,
  EPIPE: BrokenPipeError,
  ESRCH: ProcessLookupError,
};

/**
 * Builds the `TransportOSError` (or its asyncio-named subclass) for an errno code.
 * @internal
 */
export function osError(
  code: string,
  message: string,
  details: OSErrorDetails = {},
): TransportOSError {
  const ErrorClass = subclassByCode[code] ?? TransportOSError;
  return new ErrorClass(code, message, details);
}

/** A platform error that carries a string errno `code`, as Node's system errors do. */
interface ErrnoLike {
  readonly code: string;
  readonly message: string;
  readonly errno?: unknown;
  readonly syscall?: unknown;
}

function isErrnoLike(err: unknown): err is ErrnoLike {
  // Not `instanceof Error`: errors from another realm (a vm context, as jest uses) fail it.
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string' && /^E(AI_)?[A-Z0-9]+$/.test(code);
}

function isErrorLike(err: unknown): err is Error {
  if (err instanceof Error) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { name, message } = err as { name?: unknown; message?: unknown };
  return typeof name === 'string' && typeof message === 'string';
}

/**
 * Wraps a platform error reporting an errno (`code: 'ECONNRESET'`) as a `TransportOSError`;
 * returns any other value unchanged when it is already an `Error`, else wraps it.
 * @internal
 */
export function toTransportError(err: unknown): Error {
  if (err instanceof TransportError) return err;
  if (isErrnoLike(err)) {
    return osError(err.code, err.message, {
      errno: typeof err.errno === 'number' ? err.errno : undefined,
      syscall: typeof err.syscall === 'string' ? err.syscall : undefined,
      cause: err,
    });
  }
  if (isErrorLike(err)) return err;
  return new TransportError('ERR_UNKNOWN', `Non-error value thrown: ${describeValue(err)}`, {
    cause: err,
  });
}
