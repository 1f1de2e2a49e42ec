import { TransportError } from '../core/errors.js';

/**
 * The WebSocket closed with a code other than 1000 (normal) or 1001 (going away), or without
 * a Close frame (1006): what `closed$` and `data$` end with. `closeCode` and `reason` are the
 * peer's (or 1006 and `''` when the connection dropped); `wasClean` says whether the closing
 * handshake completed.
 * @group Errors
 */
export class WebSocketCloseError extends TransportError {
  override name = 'WebSocketCloseError';
  /** Always `'ERR_WEBSOCKET_CLOSED'`. */
  declare readonly code: 'ERR_WEBSOCKET_CLOSED';
  /** The close code (RFC 6455 section 7.4), e.g. 1006 for a dropped connection. */
  readonly closeCode: number;
  /** The close reason the peer gave, or `''`. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;

  constructor(closeCode: number, reason: string, wasClean: boolean) {
    const why = reason === '' ? '' : `: ${reason}`;
    super('ERR_WEBSOCKET_CLOSED', `The WebSocket closed with code ${closeCode}${why}`);
    this.closeCode = closeCode;
    this.reason = reason;
    this.wasClean = wasClean;
  }
}

/**
 * The WebSocket could not be opened: the server refused the upgrade, the connection failed, or
 * no connection was made. Browsers give no reason (only that it failed); the `ws` package
 * gives the HTTP status, in `statusCode`, when the server answered.
 * @group Errors
 */
export class WebSocketHandshakeError extends TransportError {
  override name = 'WebSocketHandshakeError';
  /** Always `'ERR_WEBSOCKET_HANDSHAKE'`. */
  declare readonly code: 'ERR_WEBSOCKET_HANDSHAKE';
  /** The HTTP status of a refused upgrade, when the platform reports it. */
  readonly statusCode: number | undefined;

  constructor(message: string, options?: ErrorOptions & { statusCode?: number | undefined }) {
    super('ERR_WEBSOCKET_HANDSHAKE', message, options);
    this.statusCode = options?.statusCode;
  }
}

/**
 * Reading was paused on a platform that cannot stop the network (a browser's `WebSocket`), and
 * the messages held meanwhile passed `maxPausedBytes`: the transport aborts rather than grow
 * without bound.
 * @group Errors
 */
export class ReadOverflowError extends TransportError {
  override name = 'ReadOverflowError';
  /** Always `'ERR_READ_OVERFLOW'`. */
  declare readonly code: 'ERR_READ_OVERFLOW';
  /** Bytes held when the bound was passed. */
  readonly heldBytes: number;

  constructor(heldBytes: number, limit: number) {
    super(
      'ERR_READ_OVERFLOW',
      `${heldBytes} bytes arrived while reading was paused, past maxPausedBytes (${limit}); ` +
        'this platform cannot stop the peer (use WebSocketStream, or a credit protocol)',
    );
    this.heldBytes = heldBytes;
  }
}
