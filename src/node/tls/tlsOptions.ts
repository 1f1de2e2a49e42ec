import { isIP } from 'node:net';
import * as tls from 'node:tls';
import {
  checkServerIdentity,
  createSecureContext,
  type SecureContext,
  type ConnectionOptions as NodeTlsConnectionOptions,
  type SecureContextOptions,
  type TLSSocketOptions,
} from 'node:tls';
import { invalidArgType, invalidArgValue, outOfRange } from '../../core/argErrors.js';
import { optionalString } from '../../core/validate.js';

/**
 * Node's `tls.connect` options that a client's `ssl` may carry (`ca`, `cert`, `key`, `pfx`,
 * `passphrase`, `minVersion`, `maxVersion`, `ALPNProtocols`, `rejectUnauthorized`,
 * `checkServerIdentity`, `session`, ...): the factory sets the address and `servername`.
 * @group Factories
 */
export type TlsClientOptions = Omit<
  NodeTlsConnectionOptions,
  'host' | 'port' | 'path' | 'socket' | 'servername' | 'onread' | 'timeout' | 'lookup'
>;

/**
 * Node's secure context options and the server's TLS socket options that a server's `ssl`
 * may carry (`cert`, `key`, `ca`, `requestCert`, `rejectUnauthorized`, `ALPNProtocols`,
 * `SNICallback`, `minVersion`, ...).
 * @group Factories
 */
export interface TlsServerOptions extends SecureContextOptions {
  /** Ask for a client certificate (mutual TLS); refused or missing ones fail the handshake. */
  readonly requestCert?: boolean;
  /** With `requestCert`, refuse clients whose certificate does not verify. @defaultValue true */
  readonly rejectUnauthorized?: boolean;
  readonly ALPNProtocols?: TLSSocketOptions['ALPNProtocols'];
  readonly SNICallback?: TLSSocketOptions['SNICallback'];
}

/**
 * The TLS options of the client factories (asyncio `ssl=`, `server_hostname=`,
 * `ssl_handshake_timeout=`, `ssl_shutdown_timeout=`).
 * @group Factories
 */
export interface ClientTlsOptions {
  /**
   * TLS: `true` for Node's trusted roots with certificate and host name verification [T1,
   * N-T1], Node's `tls.connect` options, or a `tls.SecureContext`. Verification is off only
   * with `rejectUnauthorized: false`.
   */
  readonly ssl?: true | TlsClientOptions | SecureContext;
  /**
   * The name to verify the server's certificate against and to send by SNI (DNS names only);
   * `''` checks no name and sends no SNI [T3]. Only with `ssl`.
   * @defaultValue the host connected to
   */
  readonly serverHostname?: string;
  /**
   * Milliseconds the TLS handshake may take, from the TCP connect; then the factory rejects
   * with {@link ConnectionAbortedError}. Only with `ssl`.
   * @defaultValue 60000 (asyncio's 60 s)
   */
  readonly sslHandshakeTimeout?: number;
  /**
   * Milliseconds `close()` waits for the peer's close_notify; then `closed$` emits a
   * {@link TransportTimeoutError}. Only with `ssl`.
   * @defaultValue 30000 (asyncio's 30 s)
   */
  readonly sslShutdownTimeout?: number;
}

/**
 * The TLS options of the server factories (asyncio `ssl=`, `ssl_handshake_timeout=`,
 * `ssl_shutdown_timeout=`).
 * @group Factories
 */
export interface ServerTlsOptions {
  /** TLS: Node's secure context and server socket options, or a `tls.SecureContext`. */
  readonly ssl?: TlsServerOptions | SecureContext;
  /**
   * Milliseconds a client's handshake may take; then the connection is dropped. Only with `ssl`.
   * @defaultValue 60000 (asyncio's 60 s)
   */
  readonly sslHandshakeTimeout?: number;
  /**
   * Milliseconds `close()` waits for the peer's close_notify. Only with `ssl`.
   * @defaultValue 30000 (asyncio's 30 s)
   */
  readonly sslShutdownTimeout?: number;
}

/** Node's `tls.SecureContext` class, which its typings declare as a type only. */
const SecureContextClass = (tls as unknown as { SecureContext: abstract new () => SecureContext })
  .SecureContext;

function isSecureContext(value: unknown): value is SecureContext {
  return value instanceof SecureContextClass;
}

/** asyncio's defaults, 60 s and 30 s [T4]. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 60_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

/** The timeouts of a TLS connection, checked. @internal */
export interface TlsTimeouts {
  readonly handshakeTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
}

/** What `tls.connect` gets, besides the address. @internal */
export interface ClientTls extends TlsTimeouts {
  readonly options: NodeTlsConnectionOptions;
  readonly sslcontext: unknown;
}

/** What each accepted socket's `TLSSocket` gets. @internal */
export interface ServerTls extends TlsTimeouts {
  readonly socketOptions: TLSSocketOptions;
  readonly sslcontext: SecureContext;
}

function timeout(opts: Record<string, unknown>, key: string, fallback: number): number {
  const value = opts[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw invalidArgType(`options.${key}`, 'of type number', value);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw outOfRange(`options.${key}`, 'a positive number', value);
  }
  return value;
}

/** asyncio's rule: these options mean nothing without `ssl` [T2, T4]. */
function refuseWithoutSsl(opts: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    if (opts[key] !== undefined) {
      throw invalidArgValue(`options.${key}`, 'is only meaningful with ssl');
    }
  }
}

function timeouts(opts: Record<string, unknown>): TlsTimeouts {
  return {
    handshakeTimeoutMs: timeout(opts, 'sslHandshakeTimeout', DEFAULT_HANDSHAKE_TIMEOUT_MS),
    shutdownTimeoutMs: timeout(opts, 'sslShutdownTimeout', DEFAULT_SHUTDOWN_TIMEOUT_MS),
  };
}

const TIMEOUT_KEYS = ['sslHandshakeTimeout', 'sslShutdownTimeout'] as const;

/**
 * Checks a client's TLS options (asyncio `create_connection`'s rules [T1–T4]) and builds what
 * `tls.connect` gets; `null` without `ssl`. `host` is the default name to verify (and to send
 * by SNI when it is a DNS name [N-T2]); `undefined` when there is none (Unix sockets).
 * @internal
 */
export function clientTls(
  opts: Record<string, unknown>,
  host: string | undefined,
): ClientTls | null {
  const ssl = opts['ssl'];
  if (ssl === undefined || ssl === false) {
    refuseWithoutSsl(opts, ['serverHostname', ...TIMEOUT_KEYS]);
    return null;
  }
  const given = optionalString('options.serverHostname', opts['serverHostname']);
  const name = given ?? host;
  if (name === undefined) {
    throw invalidArgValue('options.serverHostname', 'must be set when using ssl without a host');
  }
  let base: NodeTlsConnectionOptions;
  if (ssl === true) base = {};
  else if (isSecureContext(ssl)) base = { secureContext: ssl };
  else if (typeof ssl === 'object' && ssl !== null && !Array.isArray(ssl)) {
    base = { ...(ssl as NodeTlsConnectionOptions) };
  } else throw invalidArgType('options.ssl', 'true, a tls options object or a SecureContext', ssl);
  const options: NodeTlsConnectionOptions = { ...base };
  if (name === '') {
    // No SNI and no name check; the chain is still verified [T3, N-T2].
    options.checkServerIdentity ??= () => undefined;
  } else {
    if (isIP(name) === 0) options.servername = name;
    // The name to check is this one, not the address connected to.
    options.checkServerIdentity ??= (_, cert) => checkServerIdentity(name, cert);
  }
  return { options, sslcontext: ssl === true ? null : ssl, ...timeouts(opts) };
}

/**
 * Checks a server's TLS options (`ssl` is a tls options object or a `SecureContext`; `true` is
 * a `TypeError` [T1]) and builds the secure context once; `null` without `ssl`.
 * @internal
 */
export function serverTls(opts: Record<string, unknown>): ServerTls | null {
  const ssl = opts['ssl'];
  if (ssl === undefined || ssl === false) {
    refuseWithoutSsl(opts, TIMEOUT_KEYS);
    return null;
  }
  if (opts['serverHostname'] !== undefined) {
    throw invalidArgValue('options.serverHostname', 'is only meaningful for clients');
  }
  if (isSecureContext(ssl)) {
    return {
      socketOptions: { isServer: true, secureContext: ssl },
      sslcontext: ssl,
      ...timeouts(opts),
    };
  }
  if (typeof ssl !== 'object' || ssl === null || Array.isArray(ssl)) {
    throw invalidArgType('options.ssl', 'a tls options object or a SecureContext', ssl);
  }
  const given = ssl as TlsServerOptions;
  const { requestCert, rejectUnauthorized, ALPNProtocols, SNICallback, ...contextOptions } = given;
  const secureContext = createSecureContext(contextOptions);
  const socketOptions: TLSSocketOptions = {
    isServer: true,
    secureContext,
    requestCert: requestCert ?? false,
    rejectUnauthorized: rejectUnauthorized ?? true,
    ...(ALPNProtocols === undefined ? {} : { ALPNProtocols }),
    ...(SNICallback === undefined ? {} : { SNICallback }),
  };
  return { socketOptions, sslcontext: secureContext, ...timeouts(opts) };
}
