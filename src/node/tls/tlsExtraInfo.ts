import type { TLSSocket } from 'node:tls';

/**
 * A read-only view of a TLS connection, asyncio's `'ssl_object'` (`SSLObject`) as far as Node
 * has it [N-T14].
 * @group Transports
 */
export interface SslObjectInfo {
  /** The negotiated protocol version, `'TLSv1.3'`, `'TLSv1.2'`, ... */
  version(): string | null;
  /** The protocol chosen by ALPN, or `null`. */
  selectedAlpnProtocol(): string | null;
  /** The peer's certificate as Node decodes it (`{}` when it sent none). */
  getPeerCertificate(detailed?: boolean): object;
  /** The negotiated cipher suite. */
  getCipher(): { readonly name: string; readonly standardName: string; readonly version: string };
  /** Whether the session was resumed. */
  isSessionReused(): boolean;
  /** The host name the client asked for by SNI (servers), or `false`. */
  readonly servername: string | false;
}

/** The address fields of the socket beneath: there is no way to write around TLS [N-T7]. */
function socketFacade(socket: TLSSocket): Readonly<Record<string, unknown>> {
  return Object.freeze({
    encrypted: true,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    remoteFamily: socket.remoteFamily,
  });
}

/**
 * `getExtraInfo` values of a TLS connection once its handshake is done [T19, N-T14], over the
 * TCP or Unix ones (`peername`, `sockname`); `'socket'` is a frozen address record.
 * @internal
 */
export function tlsExtraInfo(
  socket: TLSSocket,
  base: Readonly<Record<string, unknown>>,
  sslcontext: unknown,
  isServer: boolean,
): Record<string, unknown> {
  const cert = socket.getPeerCertificate(true) as object | null;
  const hasCert = cert !== null && Object.keys(cert).length > 0;
  const cipher = socket.getCipher();
  const sslObject: SslObjectInfo = Object.freeze({
    version: () => socket.getProtocol(),
    selectedAlpnProtocol: () => (socket.alpnProtocol === false ? null : socket.alpnProtocol),
    getPeerCertificate: (detailed?: boolean) => socket.getPeerCertificate(detailed === true),
    getCipher: () => socket.getCipher(),
    isSessionReused: () => socket.isSessionReused(),
    servername: (socket as TLSSocket & { servername?: string | false }).servername ?? false,
  });
  return {
    ...base,
    socket: socketFacade(socket),
    sslcontext,
    // A server without a client certificate has none (asyncio None); a client always has one.
    peercert: hasCert ? cert : isServer ? null : {},
    cipher: [cipher.name, socket.getProtocol(), null],
    compression: null,
    ssl_object: sslObject,
    alpnProtocol: socket.alpnProtocol ?? false,
  };
}
