/**
 * Throwaway certificates for the TLS examples, made with the `openssl` CLI in a temp dir (a CA,
 * a server certificate for localhost/127.0.0.1/::1, a client certificate). Not for production.
 */
import { rmSync } from 'node:fs';
import { generateTlsCerts, type TlsCerts } from '../spec/helpers/tlsCerts.js';

/** The certificates, and a way to remove them. */
export function testCertificates(): TlsCerts & { remove(): void } {
  const certs = generateTlsCerts();
  return {
    ...certs,
    remove: () => {
      rmSync(certs.dir, { recursive: true, force: true });
    },
  };
}
