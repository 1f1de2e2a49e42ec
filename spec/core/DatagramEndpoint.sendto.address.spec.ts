/**
 * DatagramEndpoint's sendto over a scriptable handle: address rules with a remoteAddr (none
 * needed, no other accepted) and without one (required, of the socket's family, well-formed).
 */
import type { InetAddress } from '../../src/core/address';
import { FakeDatagramHandle, PEER, PEER6, open } from '../helpers/FakeDatagramHandle';
import { bytes } from '../helpers/FakeStreamHandle';
import { thrownBy } from '../helpers/outcomes';
import { useExceptionReports } from '../helpers/exceptions';

describe('DatagramEndpoint', () => {
  useExceptionReports();

  describe('sendto', () => {
    describe('with remoteAddr [D2]', () => {
      it('sends to the remote address when no address is given', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle, { remoteAddr: PEER });
        endpoint.sendto(bytes('x'));
        expect(handle.sent[0]?.addr).toEqual(PEER);
      });

      it('accepts the remote address itself (host and port compared)', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle, { remoteAddr: { ...PEER, family: 'IPv4' } });
        endpoint.sendto(bytes('x'), { host: PEER.host, port: PEER.port });
        expect(handle.sent).toHaveLength(1);
      });

      it('refuses another address with TypeError ERR_INVALID_ARG_VALUE (asyncio ValueError)', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle, { remoteAddr: PEER });
        for (const other of [
          { host: PEER.host, port: PEER.port + 1 },
          { host: '192.0.2.8', port: PEER.port },
        ]) {
          const error = thrownBy(() => {
            endpoint.sendto(bytes('x'), other);
          });
          expect(error).toBeInstanceOf(TypeError);
          expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_VALUE');
          expect((error as Error).message).toContain('192.0.2.7:5000');
        }
        expect(handle.sent).toEqual([]);
      });
    });

    describe('without remoteAddr', () => {
      it('requires an address: TypeError ERR_INVALID_ARG_TYPE', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle);
        const error = thrownBy(() => {
          endpoint.sendto(bytes('x'));
        });
        expect(error).toBeInstanceOf(TypeError);
        expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
        expect(endpoint.isClosing()).toBe(false);
      });

      it('refuses an address of the other family: TypeError ERR_INVALID_ARG_VALUE', async () => {
        const v4 = await open(new FakeDatagramHandle('IPv4'));
        const v6 = await open(new FakeDatagramHandle('IPv6'));
        for (const [endpoint, addr] of [
          [v4, PEER6],
          [v4, { host: 'example.test', port: 9, family: 'IPv6' }],
          [v6, PEER],
        ] as const) {
          const error = thrownBy(() => {
            endpoint.sendto(bytes('x'), addr);
          });
          expect(error).toBeInstanceOf(TypeError);
          expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_VALUE');
        }
      });

      it('leaves a host name to the platform to resolve', async () => {
        const handle = new FakeDatagramHandle();
        const endpoint = await open(handle);
        endpoint.sendto(bytes('x'), { host: 'localhost', port: 9 });
        expect(handle.sent[0]?.addr).toEqual({ host: 'localhost', port: 9 });
      });

      it('refuses malformed addresses with the matching error', async () => {
        const endpoint = await open(new FakeDatagramHandle());
        const cases: [unknown, string][] = [
          ['192.0.2.7:5000', 'ERR_INVALID_ARG_TYPE'],
          [{ host: 7, port: 9 }, 'ERR_INVALID_ARG_TYPE'],
          [{ host: '192.0.2.7', port: '9' }, 'ERR_INVALID_ARG_TYPE'],
          [{ host: '', port: 9 }, 'ERR_INVALID_ARG_VALUE'],
          [{ path: '/tmp/sock' }, 'ERR_INVALID_ARG_VALUE'],
          [{ host: '192.0.2.7', port: 0 }, 'ERR_OUT_OF_RANGE'],
          [{ host: '192.0.2.7', port: 65536 }, 'ERR_OUT_OF_RANGE'],
          [{ host: '192.0.2.7', port: 1.5 }, 'ERR_OUT_OF_RANGE'],
        ];
        for (const [addr, code] of cases) {
          const error = thrownBy(() => {
            endpoint.sendto(bytes('x'), addr as InetAddress);
          });
          expect({ addr, code: (error as { code?: unknown }).code }).toEqual({ addr, code });
          expect(error).toBeInstanceOf(code === 'ERR_OUT_OF_RANGE' ? RangeError : TypeError);
        }
      });
    });
  });
});
