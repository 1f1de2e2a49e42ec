/**
 * TLS for W8 and W9: a throwaway CA and a server certificate for localhost and 127.0.0.1, made
 * with the `openssl` CLI in a temp dir the first time a TLS workload asks (the approach of
 * spec/helpers/tlsCerts.ts), removed when the process exits. Every variant, python's included,
 * speaks TLS 1.3 with the one cipher suite below.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { HOST, listenRaw, type RawServer } from './net.js';

/** The one TLS 1.3 suite every variant negotiates (OpenSSL's and python's first choice). */
export const CIPHER = 'TLS_AES_256_GCM_SHA384';

/** The protocol and suite settings, for `tls.connect`, `tls.createServer` and rxtransport's `ssl`. */
export const TLS_SETTINGS = {
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
  ciphers: CIPHER,
} as const;

export interface BenchCerts {
  /** The directory holding `ca.pem`, `server.pem` and `server.key` (for the python peers). */
  readonly dir: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function generate(): BenchCerts {
  const dir = mkdtempSync(join(tmpdir(), 'rxtransport-bench-tls-'));
  process.on('exit', () => {
    rmSync(dir, { recursive: true, force: true });
  });
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    ...EC,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=rxtransport bench ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  writeFileSync(
    join(dir, 'server.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  openssl(dir, [
    'req',
    '-new',
    ...EC,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  ]);
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  return { dir, ca: read('ca.pem'), cert: read('server.pem'), key: read('server.key') };
}

let certs: BenchCerts | null = null;

/** The bench's certificates, generated on the first call. */
export function benchCerts(): BenchCerts {
  certs ??= generate();
  return certs;
}

/** What the python peers get to load the same certificates and settings. */
export function pythonTlsParams(c: BenchCerts): Record<string, string> {
  return {
    cafile: join(c.dir, 'ca.pem'),
    certfile: join(c.dir, 'server.pem'),
    keyfile: join(c.dir, 'server.key'),
    cipher: CIPHER,
  };
}

/** A raw `tls` server on 127.0.0.1 (see {@link listenRaw}). */
export function rawTlsServer(
  c: BenchCerts,
  onConnection: (socket: TLSSocket) => void,
): Promise<RawServer> {
  return listenRaw<TLSSocket>(
    (listener) => createTlsServer({ key: c.key, cert: c.cert, ...TLS_SETTINGS }, listener),
    onConnection,
  );
}

/** A raw `tls` client of 127.0.0.1 verifying the bench CA for localhost, TCP_NODELAY on. */
export function rawTlsConnect(c: BenchCerts, port: number): TLSSocket {
  const socket = tlsConnect({
    host: HOST,
    port,
    ca: c.ca,
    servername: 'localhost',
    ...TLS_SETTINGS,
  });
  socket.setNoDelay(true);
  return socket;
}

/** rxtransport's client options: the bench CA, localhost's name, TLS 1.3 and the one suite. */
export const rxClientTls = (c: BenchCerts) =>
  ({ ssl: { ca: c.ca, ...TLS_SETTINGS }, serverHostname: 'localhost' }) as const;

/** rxtransport's server options: the server certificate, TLS 1.3 and the one suite. */
export const rxServerTls = (c: BenchCerts) =>
  ({ ssl: { key: c.key, cert: c.cert, ...TLS_SETTINGS } }) as const;
