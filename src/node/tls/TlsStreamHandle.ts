import type { TLSSocket } from 'node:tls';
import { TransportTimeoutError } from '../../core/errors.js';
import type { StreamHandle, StreamHandleEvents } from '../../core/handle.js';
import { toTlsError } from './tlsErrors.js';

/**
 * Drives a stream transport from a `tls.TLSSocket` whose handshake is done. Unlike
 * `NetStreamHandle` it has no `tryWrite`: the direct write path goes to the file descriptor,
 * which would send cleartext past the TLS layer [N-T7]. TLS has no half-close in asyncio
 * [T12], so `canShutdown` is false; a clean close sends close_notify and waits for the
 * peer's, at most `shutdownTimeoutMs` [T14, N-T10].
 * @internal
 */
export class TlsStreamHandle implements StreamHandle {
  readonly canShutdown = false;
  private closed = false;
  /** A clean close is under way: what still arrives is discarded. */
  private finishing = false;
  private events: StreamHandleEvents | null = null;

  constructor(
    private readonly socket: TLSSocket,
    readonly extraInfo: Readonly<Record<string, unknown>>,
    private readonly shutdownTimeoutMs: number,
  ) {
    // Paused until the transport starts reading (after connectionMade). Pausing a TLSSocket
    // stops the TCP reads once its readable buffer is full [N-T12].
    socket.pause();
    socket.on('error', (error) => {
      if (!this.closed) this.events?.onError(toTlsError(error));
    });
  }

  bind(events: StreamHandleEvents): void {
    this.events = events;
    this.socket.on('data', (chunk: Buffer) => {
      if (!this.closed && !this.finishing) events.onData(chunk);
    });
    this.socket.on('end', () => {
      if (!this.closed && !this.finishing) events.onEof();
    });
  }

  readStart(): void {
    if (!this.closed && !this.finishing) this.socket.resume();
  }

  readStop(): void {
    if (!this.closed && !this.finishing) this.socket.pause();
  }

  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    const socket = this.socket;
    let state: 'pending' | 'sync' | 'async' = 'pending';
    const callback = (error?: Error | null): void => {
      // Failures come through 'error'; after close() nothing is reported.
      if (state === 'async' && !error && !this.closed) done();
    };
    if (chunks.length === 1) {
      socket.write(chunks[0] as Uint8Array, callback);
    } else {
      socket.cork();
      const last = chunks.length - 1;
      chunks.forEach((chunk, index) => socket.write(chunk, index === last ? callback : undefined));
      socket.uncork();
    }
    state = socket.writableLength === 0 && socket.errored === null ? 'sync' : 'async';
    return state === 'sync';
  }

  /** Never called: `canShutdown` is false. */
  shutdown(): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  /**
   * Sends close_notify (after every byte written), reads on (discarding) until the peer's
   * close_notify or FIN closes the socket, and gives up after the shutdown timeout with a
   * {@link TransportTimeoutError} [T14].
   */
  finishClose(done: (exc: Error | null) => void): void {
    if (this.closed || this.finishing) return;
    this.finishing = true;
    const socket = this.socket;
    if (socket.destroyed) {
      done(null);
      return;
    }
    let settled = false;
    const settle = (exc: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(exc);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      settle(new TransportTimeoutError('SSL shutdown timed out'));
    }, this.shutdownTimeoutMs);
    socket.once('close', () => {
      settle(null);
    });
    socket.end();
    socket.resume();
  }
}
