/**
 * How what a TLS socket reports becomes rxtransport's errors [N-T3]: verification results are
 * SSLCertVerificationError, other TLS failures SSLError, OS errors their TransportOSError.
 */
import {
  ConnectionResetError,
  SSLCertVerificationError,
  SSLError,
  TransportError,
} from '../../src/index';
import { toTlsError } from '../../src/node/tls/tlsErrors';

function nodeError(code: string, message = `failure ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('toTlsError', () => {
  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('makes %s an SSLCertVerificationError with its reason', (code) => {
    const cause = nodeError(code, 'why not');
    const error = toTlsError(cause);
    expect(error).toBeInstanceOf(SSLCertVerificationError);
    expect(error).toBeInstanceOf(SSLError);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code, reason: 'why not', name: 'SSLCertVerificationError' });
    expect(error.cause).toBe(cause);
  });

  it.each(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'])(
    'makes %s an SSLError',
    (code) => {
      const error = toTlsError(nodeError(code));
      expect(error).toBeInstanceOf(SSLError);
      expect(error).not.toBeInstanceOf(SSLCertVerificationError);
      expect(error).toMatchObject({ code, name: 'SSLError' });
    },
  );

  it('leaves an OS error to the OS mapping', () => {
    expect(toTlsError(nodeError('ECONNRESET'))).toBeInstanceOf(ConnectionResetError);
  });
});
