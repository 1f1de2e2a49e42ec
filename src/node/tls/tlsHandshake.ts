import type { Socket } from 'node:net';
import { TLSSocket, type TLSSocketOptions } from 'node:tls';
import type { StreamHandle } from '../../core/handle.js';
import { ConnectionAbortedError, ConnectionResetError } from '../../core/osErrors.js';
import { toTlsError } from './tlsErrors.js';
import { tlsExtraInfo } from './tlsExtraInfo.js';
import type { ServerTls, TlsTimeouts } from './tlsOptions.js';
import { TlsStreamHandle } from './TlsStreamHandle.js';

/** The error of a handshake past its timeout [T8]. @internal */
export function handshakeTimedOut(ms: number): ConnectionAbortedError {
  return new ConnectionAbortedError(
    'ECONNABORTED',
    `SSL handshake is taking longer than ${ms / 1000} seconds: aborting the connection`,
  );
}

/** How {@link awaitHandshake} waits. @internal */
export interface HandshakeWait {
  /** The event of a finished handshake: `'secureConnect'` on a client, `'secure'` on a server. */
  readonly event: 'secureConnect' | 'secure';
  readonly timeoutMs: number;
  /** Whether the timeout counts from the TCP connect [N-T4] or from now (a socket already open). */
  readonly timerFrom: 'connect' | 'now';
  /** The error that refuses a finished handshake (a client certificate that does not verify). */
  readonly refuse?: (socket: TLSSocket) => Error | null;
  /** The handle of a finished handshake, made in the same event. */
  readonly handle: (socket: TLSSocket) => TlsStreamHandle;
}

/**
 * Waits for the handshake of `socket` within its timeout, then wraps it in a handle. Rejects
 * with a `TransportOSError`, an {@link SSLError}, an {@link SSLCertVerificationError} [T7] or, on
 * timeout, a {@link ConnectionAbortedError} [T8]; the socket is destroyed then.
 * @internal
 */
export function awaitHandshake(socket: TLSSocket, wait: HandshakeWait): Promise<TlsStreamHandle> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off(wait.event, onSecure);
    };
    const fail = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onError = (error: Error): void => {
      fail(toTlsError(error));
    };
    const onClose = (): void => {
      fail(new ConnectionResetError('ECONNRESET', 'Connection lost during the TLS handshake'));
    };
    const onSecure = (): void => {
      const refused = wait.refuse?.(socket) ?? null;
      if (refused) {
        fail(refused);
        return;
      }
      const handle = wait.handle(socket);
      cleanup();
      resolve(handle);
    };
    const startTimer = (): void => {
      timer = setTimeout(() => {
        fail(handshakeTimedOut(wait.timeoutMs));
      }, wait.timeoutMs);
    };
    if (wait.timerFrom === 'now') startTimer();
    else socket.once('connect', startTimer);
    socket.on('error', onError);
    socket.once('close', onClose);
    socket.once(wait.event, onSecure);
  });
}

/**
 * Waits for a client `TLSSocket` (from `tls.connect`) to connect and finish its handshake,
 * within the handshake timeout counted from the TCP connect [T4, N-T4].
 * @internal
 */
export function connectTlsHandle(
  socket: TLSSocket,
  tls: TlsTimeouts & { readonly sslcontext: unknown },
  baseInfoOf: (socket: TLSSocket) => Readonly<Record<string, unknown>>,
): Promise<TlsStreamHandle> {
  return awaitHandshake(socket, {
    event: 'secureConnect',
    timeoutMs: tls.handshakeTimeoutMs,
    timerFrom: 'connect',
    handle: (secure) =>
      new TlsStreamHandle(
        secure,
        tlsExtraInfo(secure, baseInfoOf(secure), tls.sslcontext, false),
        tls.shutdownTimeoutMs,
      ),
  });
}

/**
 * Accepts TLS on a listener's sockets: each accepted socket gets a server `TLSSocket` [N-T5],
 * and only a finished handshake is delivered; a failed or timed-out one is dropped without a
 * word, and nothing else is disturbed [T6]. `close()` drops the handshakes still under way.
 * @internal
 */
export class TlsAcceptor {
  private readonly pending = new Set<TLSSocket>();

  constructor(
    private readonly tls: ServerTls,
    private readonly baseInfoOf: (socket: Socket) => Readonly<Record<string, unknown>>,
  ) {}

  accept(raw: Socket, deliver: (handle: StreamHandle) => void): void {
    const base = this.baseInfoOf(raw);
    const socket = new TLSSocket(raw, this.tls.socketOptions);
    this.pending.add(socket);
    const cleanup = (): void => {
      clearTimeout(timer);
      this.pending.delete(socket);
      socket.off('error', drop);
      socket.off('close', drop);
    };
    const drop = (): void => {
      cleanup();
      socket.destroy();
    };
    const timer = setTimeout(drop, this.tls.handshakeTimeoutMs);
    socket.on('error', drop);
    socket.once('close', drop);
    socket.once('secure', () => {
      if (clientCertRefused(socket, this.tls.socketOptions)) {
        drop();
        return;
      }
      const info = tlsExtraInfo(socket, base, this.tls.sslcontext, true);
      const handle = new TlsStreamHandle(socket, info, this.tls.shutdownTimeoutMs);
      cleanup();
      deliver(handle);
    });
  }

  close(): void {
    for (const socket of [...this.pending]) socket.destroy();
  }
}

/**
 * Whether a client certificate was asked for and did not verify. OpenSSL only enforces its
 * presence; the chain's check is Node's, done by `tls.Server` on each socket, so a bare
 * server `TLSSocket` must do it the same way (its handle's `verifyError()`).
 * @internal
 */
export function clientCertRefused(socket: TLSSocket, options: TLSSocketOptions): boolean {
  if (options.requestCert !== true || options.rejectUnauthorized === false) return false;
  const handle = (socket as unknown as { _handle?: { verifyError?(): Error | null } | null })
    ._handle;
  return handle?.verifyError?.() !== null;
}
