/**
 * A host with a null byte, given to a server or a UDP endpoint, rejects with TypeError
 * ERR_INVALID_ARG_VALUE on every Node version and opens nothing. Node 20 passed such a host to
 * getaddrinfo (EINVAL, a TransportOSError); Node 22 and later throw that TypeError themselves.
 * createConnection's cases are in createConnection.spec.ts's validation table.
 */
import { createDatagramEndpoint, createServer } from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { HOST, rejectionOf, thrownBy, useResources } from '../helpers/net';

function expectNullByteError(error: unknown, name: string): void {
  expect(error).toBeInstanceOf(TypeError);
  expect(error).toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
    message: `The argument "${name}" must be a string without null bytes`,
  });
}

describe('a host with a null byte', () => {
  const resources = useResources();
  useLeakCheck(resources);

  it('createServer rejects it', async () => {
    const error = await rejectionOf(createServer({ host: 'local\0host', port: 0 }));
    expectNullByteError(error, 'options.host');
  });

  it.each(['localAddr', 'remoteAddr'] as const)(
    'createDatagramEndpoint rejects it as %s',
    async (key) => {
      const error = await rejectionOf(createDatagramEndpoint({ [key]: { host: '\0', port: 9 } }));
      expectNullByteError(error, `options.${key}.host`);
    },
  );

  it('sendto throws it and the endpoint stays open', async () => {
    const endpoint = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
    resources.defer(() => {
      endpoint.close();
    });
    const error = thrownBy(() => {
      endpoint.sendto(utf8('x'), { host: '\0', port: 9 });
    });
    expectNullByteError(error, 'addr.host');
    expect(endpoint.isClosing()).toBe(false);
  });
});
