import { runInNewContext } from 'node:vm';
import {
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  ProcessLookupError,
  TransportOSError,
  osError,
  toTransportError,
} from '../../src/core/osErrors';
import { TransportError } from '../../src/core/errors';

describe('osError', () => {
  it.each([
    ['ECONNREFUSED', ConnectionRefusedError],
    ['ECONNRESET', ConnectionResetError],
    ['EPIPE', BrokenPipeError],
    ['ESRCH', ProcessLookupError],
  ])('builds the asyncio-named subclass for %s', (code, ErrorClass) => {
    const error = osError(code, 'failed');
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(TransportOSError);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(ErrorClass.name);
  });

  it('builds a plain TransportOSError for other codes', () => {
    const error = osError('EADDRINUSE', 'in use', { errno: -98, syscall: 'listen' });
    expect(error.constructor).toBe(TransportOSError);
    expect(error).toMatchObject({ code: 'EADDRINUSE', errno: -98, syscall: 'listen' });
  });
});

describe('toTransportError', () => {
  it('wraps a Node system error, keeping it as cause', () => {
    const nodeError = Object.assign(new Error('read ECONNRESET'), {
      code: 'ECONNRESET',
      errno: -104,
      syscall: 'read',
    });
    const error = toTransportError(nodeError);
    expect(error).toBeInstanceOf(ConnectionResetError);
    expect(error).toMatchObject({
      code: 'ECONNRESET',
      errno: -104,
      syscall: 'read',
      cause: nodeError,
    });
  });

  it('recognises system errors from another realm', () => {
    const foreign: unknown = runInNewContext(
      "Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })",
    );
    expect(foreign instanceof Error).toBe(false);
    expect(toTransportError(foreign)).toBeInstanceOf(ConnectionRefusedError);
  });

  it('returns other errors unchanged, from any realm', () => {
    const plain = new RangeError('nope');
    expect(toTransportError(plain)).toBe(plain);
    const foreign: unknown = runInNewContext("new TypeError('other realm')");
    expect(toTransportError(foreign)).toBe(foreign);
  });

  it('wraps getaddrinfo errors, but not Node argument errors', () => {
    const dns = Object.assign(new Error('getaddrinfo EAI_AGAIN example.invalid'), {
      code: 'EAI_AGAIN',
    });
    expect(toTransportError(dns)).toMatchObject({ name: 'TransportOSError', code: 'EAI_AGAIN' });
    const arg = Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(toTransportError(arg)).toBe(arg);
  });

  it('wraps a thrown non-error value', () => {
    expect(toTransportError('just a string')).toMatchObject({ code: 'ERR_UNKNOWN' });
  });
});
