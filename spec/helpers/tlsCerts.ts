/**
 * Throwaway certificates for the TLS specs, made with the `openssl` CLI in a temp dir (the
 * commands of asyncio-tls-semantics P2): a CA, a server certificate for localhost, 127.0.0.1
 * and ::1, a client certificate, a second CA with a client certificate of its own (one the
 * first CA does not vouch for), and a self-signed server certificate.
 *
 * ```ts
 * const certs = useTlsCerts(); // beforeAll: generate; afterAll: remove the dir
 * it('...', () => createServer({ port: 0, ssl: { cert: certs.serverCert, key: certs.serverKey } }));
 * ```
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsCerts {
  /** The directory holding the PEM files (`ca.pem`, `server.pem`, `server.key`, ...). */
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing the others trust, and a client certificate it signed. */
  otherCa: string;
  strangerCert: string;
  strangerKey: string;
  /** A self-signed certificate for localhost. */
  selfSignedCert: string;
  selfSignedKey: string;
}

/** Whether the `openssl` CLI runs here; the TLS specs skip (saying so) without it. */
export const HAVE_OPENSSL = spawnSync('openssl', ['version']).status === 0;

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=rxtransport test ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function makeLeaf(dir: string, name: string, ca: string, subject: string, ext: string[]): void {
  writeFileSync(join(dir, `${name}.ext`), ext.join('\n') + '\n');
  openssl(dir, [
    'req',
    '-new',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
}

const COMMON = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid,issuer',
];
const SERVER_EXT = [
  ...COMMON,
  'extendedKeyUsage=serverAuth',
  'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
];
const CLIENT_EXT = [...COMMON, 'extendedKeyUsage=clientAuth'];

/** Generates the certificates into a fresh temp dir. */
export function generateTlsCerts(): TlsCerts {
  const dir = mkdtempSync(join(tmpdir(), 'rxtransport-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other');
  makeLeaf(dir, 'server', 'ca', '/CN=localhost', SERVER_EXT);
  makeLeaf(dir, 'client', 'ca', '/CN=rxtransport test client', CLIENT_EXT);
  makeLeaf(dir, 'stranger', 'other', '/CN=rxtransport stranger', CLIENT_EXT);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    ...EC,
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  return {
    dir,
    ca: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    otherCa: read('other.pem'),
    strangerCert: read('stranger.pem'),
    strangerKey: read('stranger.key'),
    selfSignedCert: read('self.pem'),
    selfSignedKey: read('self.key'),
  };
}

/**
 * Generates the certificates once for the enclosing `describe` (beforeAll) and removes them
 * after it. The returned object is filled in by beforeAll.
 */
export function useTlsCerts(): TlsCerts {
  const certs = {} as TlsCerts;
  beforeAll(() => {
    Object.assign(certs, generateTlsCerts());
  });
  afterAll(() => {
    if (certs.dir) rmSync(certs.dir, { recursive: true, force: true });
  });
  return certs;
}

/** `describe`, or a skip that says why when `openssl` is missing. */
export function describeTls(name: string, body: () => void): void {
  if (HAVE_OPENSSL) {
    describe(name, body);
    return;
  }
  console.warn(`Skipping "${name}": the openssl CLI is not available to make certificates`);
  describe.skip(name, body);
}
