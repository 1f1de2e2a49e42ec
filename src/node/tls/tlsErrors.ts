import { SSLCertVerificationError, SSLError } from '../../core/errors.js';
import { toTransportError } from '../../core/osErrors.js';

/** OpenSSL's certificate verification results as Node names them, and its host name check. */
const VERIFY_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Converts what a TLS socket reports: a refused certificate to {@link SSLCertVerificationError},
 * another TLS failure (`ERR_SSL_*`, `ERR_TLS_*`) to {@link SSLError}, an OS error to its
 * `TransportOSError` [N-T3].
 * @internal
 */
export function toTlsError(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof code === 'string' && typeof message === 'string') {
    if (VERIFY_CODES.has(code))
      return new SSLCertVerificationError(code, message, { cause: error });
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
      return new SSLError(code, message, { cause: error });
    }
  }
  return toTransportError(error);
}
