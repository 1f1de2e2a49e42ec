/**
 * Error classes of rxtransport. Each carries a stable `code`: the OS errno name for what the
 * operating system reported (`ECONNRESET`), else an `ERR_*` code.
 */

/**
 * Base class of every error rxtransport raises itself.
 * @group Errors
 */
export class TransportError extends Error {
  /** Stable, machine-readable identifier of the failure. */
  readonly code: string;
  override name = 'TransportError';

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * A write, `sendto` or signal on a transport that was closed, aborted or lost its connection.
 * asyncio drops such writes and logs a warning after a few; rxtransport refuses them
 * ([asyncio difference 1](../../docs/asyncio-differences.md#writing)).
 * @group Errors
 */
export class TransportClosedError extends TransportError {
  override name = 'TransportClosedError';
  declare readonly code: 'ERR_TRANSPORT_CLOSED';

  constructor(message = 'Transport is closed', options?: ErrorOptions) {
    super('ERR_TRANSPORT_CLOSED', message, options);
  }
}

/**
 * `write()` after `writeEof()`. asyncio raises `RuntimeError` here
 * ([asyncio difference 19](../../docs/asyncio-differences.md#errors)).
 * @group Errors
 */
export class WriteAfterEofError extends TransportError {
  override name = 'WriteAfterEofError';
  declare readonly code: 'ERR_WRITE_AFTER_EOF';

  constructor(message = 'Cannot call write() after writeEof()', options?: ErrorOptions) {
    super('ERR_WRITE_AFTER_EOF', message, options);
  }
}

/**
 * Something asyncio offers that Node cannot provide (for example Unix datagram endpoints).
 * @group Errors
 */
export class UnsupportedError extends TransportError {
  override name = 'UnsupportedError';
  declare readonly code: 'ERR_UNSUPPORTED';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_UNSUPPORTED', message, options);
  }
}

/**
 * A frame longer than its configured maximum, refused before it is buffered.
 * @group Errors
 */
export class FrameTooLargeError extends TransportError {
  override name = 'FrameTooLargeError';
  declare readonly code: 'ERR_FRAME_TOO_LARGE';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_FRAME_TOO_LARGE', message, options);
  }
}

/**
 * The source completed in the middle of a frame: part of a header, or a payload shorter than its
 * header announced. asyncio's nearest equivalent is the `IncompleteReadError` of
 * `StreamReader.readexactly()`.
 * @group Errors
 */
export class IncompleteFrameError extends TransportError {
  override name = 'IncompleteFrameError';
  declare readonly code: 'ERR_INCOMPLETE_FRAME';

  constructor(message = 'The source completed inside a frame', options?: ErrorOptions) {
    super('ERR_INCOMPLETE_FRAME', message, options);
  }
}

/**
 * A TLS failure (asyncio `ssl.SSLError`): a broken handshake, a corrupt record, an alert from
 * the peer. `code` is the platform's or OpenSSL's, e.g. `'ERR_SSL_WRONG_VERSION_NUMBER'`.
 * @group Errors
 */
export class SSLError extends TransportError {
  override name = 'SSLError';
}

/**
 * The peer's certificate was refused (asyncio `ssl.SSLCertVerificationError`): `code` is the
 * verification result, e.g. `'UNABLE_TO_VERIFY_LEAF_SIGNATURE'`, `'SELF_SIGNED_CERT_IN_CHAIN'`,
 * `'ERR_TLS_CERT_ALTNAME_INVALID'` or `'CERT_HAS_EXPIRED'`; `reason` is its text.
 * @group Errors
 */
export class SSLCertVerificationError extends SSLError {
  override name = 'SSLCertVerificationError';
  /** Why verification failed, as the platform says it. */
  readonly reason: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.reason = message;
  }
}

/**
 * Something did not finish in time (asyncio `TimeoutError`), for example the peer's
 * close_notify after `close()` on a TLS transport.
 * @group Errors
 */
export class TransportTimeoutError extends TransportError {
  override name = 'TransportTimeoutError';
  declare readonly code: 'ERR_TRANSPORT_TIMEOUT';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_TRANSPORT_TIMEOUT', message, options);
  }
}
