import type { Socket } from 'node:net';
import { connect, TLSSocket } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { invalidArgType } from '../../core/argErrors.js';
import { SSLCertVerificationError } from '../../core/errors.js';
import type { StreamProtocol } from '../../core/protocols.js';
import { StreamTransport } from '../../core/StreamTransport.js';
import type { SocketTransport } from '../../core/transports.js';
import { checkProtocol } from '../../core/validate.js';
import { NetStreamHandle } from '../NetStreamHandle.js';
import { tlsExtraInfo } from './tlsExtraInfo.js';
import { awaitHandshake, clientCertRefused } from './tlsHandshake.js';
import {
  clientTls,
  serverTls,
  type TlsClientOptions,
  type TlsServerOptions,
  type TlsTimeouts,
} from './tlsOptions.js';
import { TlsStreamHandle } from './TlsStreamHandle.js';

/**
 * Options of {@link startTls} (asyncio `loop.start_tls`'s keyword arguments).
 * @group Factories
 */
export interface StartTlsOptions {
  /** Play the server's part of the handshake (`ssl` is then a server's options). */
  readonly serverSide?: boolean | undefined;
  /**
   * Client side: the name to verify the certificate against and to send by SNI (DNS names);
   * without it no name is checked and no SNI is sent, the chain still is [T3].
   */
  readonly serverHostname?: string | undefined;
  /** The protocol of the TLS transport (an instance, as asyncio); else the old one's. */
  readonly protocol?: StreamProtocol<SocketTransport> | undefined;
  /**
   * Milliseconds the handshake may take; then {@link ConnectionAbortedError}.
   * @defaultValue 60000
   */
  readonly sslHandshakeTimeout?: number | undefined;
  /**
   * Milliseconds `close()` waits for the peer's close_notify.
   * @defaultValue 30000
   */
  readonly sslShutdownTimeout?: number | undefined;
}

type Setup = TlsTimeouts & {
  readonly sslcontext: unknown;
  readonly wrap: (socket: Socket) => TLSSocket;
  readonly serverSide: boolean;
  readonly refused: (socket: TLSSocket) => boolean;
};

function setup(ssl: unknown, opts: StartTlsOptions): Setup {
  const raw: Record<string, unknown> = { ...opts, ssl: ssl ?? undefined };
  delete raw['serverSide'];
  delete raw['protocol'];
  if (ssl === undefined || ssl === null || ssl === false) {
    throw invalidArgType('ssl', 'a tls options object or a SecureContext', ssl);
  }
  if (opts.serverSide === true) {
    const tls = serverTls(raw);
    if (tls === null) throw invalidArgType('ssl', 'a tls options object', ssl);
    return {
      ...tls,
      serverSide: true,
      wrap: (socket) => new TLSSocket(socket, tls.socketOptions),
      refused: (socket) => clientCertRefused(socket, tls.socketOptions),
    };
  }
  const tls = clientTls(raw, '');
  if (tls === null) throw invalidArgType('ssl', 'a tls options object', ssl);
  return {
    ...tls,
    serverSide: false,
    wrap: (socket) => connect({ ...tls.options, socket }),
    refused: () => false,
  };
}

function socketHandleOnly(handle: unknown): void {
  if (!(handle instanceof NetStreamHandle)) {
    throw invalidArgType('transport', 'a TCP or Unix socket transport', handle);
  }
}

/** Waits for the handshake of `secure`, within the timeout counted from now [T4]. */
function handshake(
  secure: TLSSocket,
  tls: Setup,
  base: Readonly<Record<string, unknown>>,
): Promise<TlsStreamHandle> {
  return awaitHandshake(secure, {
    event: tls.serverSide ? 'secure' : 'secureConnect',
    timeoutMs: tls.handshakeTimeoutMs,
    timerFrom: 'now',
    refuse: (socket) =>
      tls.refused(socket)
        ? new SSLCertVerificationError('CERT_REJECTED', 'The client certificate was refused')
        : null,
    handle: (socket) =>
      new TlsStreamHandle(
        socket,
        tlsExtraInfo(socket, base, tls.sslcontext, tls.serverSide),
        tls.shutdownTimeoutMs,
      ),
  });
}

/**
 * Upgrades an open TCP or Unix socket transport to TLS (asyncio `loop.start_tls` [T25–T28]) and
 * resolves, after the handshake, to a new TLS transport on the same connection, with the old
 * transport's protocol unless `opts.protocol` is given; neither gets `connectionMade` [T26].
 *
 * From the call on, the old transport refuses writes with `TransportClosedError` and delivers
 * nothing more; what it had been given is written first, and what it had received but not
 * delivered goes to the TLS layer [N-T8]. Once that is done its `closed$` emits `null` and
 * completes, without `connectionLost` (the protocol lives on). A failed handshake closes the
 * connection and rejects with {@link SSLError}, {@link SSLCertVerificationError} or, past the
 * timeout, {@link ConnectionAbortedError}. Another kind of transport (a pipe, a subprocess, a
 * datagram endpoint, a TLS transport) is a `TypeError` [T25].
 * @group Factories
 */
export async function startTls(
  transport: SocketTransport,
  ssl: true | TlsClientOptions | TlsServerOptions | SecureContext,
  opts: StartTlsOptions = {},
): Promise<SocketTransport> {
  if (!(transport instanceof StreamTransport)) {
    throw invalidArgType('transport', 'a TCP or Unix socket transport', transport);
  }
  if (typeof opts !== 'object' || opts === null) {
    throw invalidArgType('opts', 'an object', opts);
  }
  const tls = setup(ssl, opts);
  const given = opts.protocol === undefined ? undefined : checkProtocol(opts.protocol);
  const { handle, held, protocol } = await transport.handOver(socketHandleOnly);
  if (!(handle instanceof NetStreamHandle)) throw new TypeError('Not a socket handle');
  const net = handle;
  const socket = net.release();
  for (const chunk of held.reverse()) socket.unshift(chunk);
  const secure = tls.wrap(socket);
  const tlsHandle = await handshake(secure, tls, net.extraInfo).catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
  const upgraded = new StreamTransport(tlsHandle, {
    protocol: given ?? protocol,
    resumed: true,
  });
  await upgraded.ready;
  return upgraded;
}
