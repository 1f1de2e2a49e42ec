/**
 * DatagramEndpoint's sendto over a scriptable handle: the closed state (and what is checked
 * before it) and send errors, OS errors to errorReceived, others on the fatal-error path.
 */
import { TransportClosedError } from '../../src/core/errors';
import { osError } from '../../src/core/osErrors';
import { FakeDatagramHandle, PEER, open } from '../helpers/FakeDatagramHandle';
import { bytes, turn } from '../helpers/FakeStreamHandle';
import { thrownBy } from '../helpers/outcomes';
import { recorder } from '../helpers/recordingDatagramProtocol';
import { useExceptionReports } from '../helpers/exceptions';

describe('DatagramEndpoint', () => {
  const reported = useExceptionReports();

  describe('sendto', () => {
    it('throws TransportClosedError after close(), abort() or a fatal error', async () => {
      const closed = await open(new FakeDatagramHandle());
      closed.close();
      const aborted = await open(new FakeDatagramHandle());
      aborted.abort();
      const failedHandle = new FakeDatagramHandle();
      const failed = await open(failedHandle);
      failedHandle.fail(new Error('fatal'));
      for (const endpoint of [closed, aborted, failed]) {
        expect(() => {
          endpoint.sendto(bytes('x'), PEER);
        }).toThrow(TransportClosedError);
      }
      await turn();
      expect(() => {
        closed.sendto(bytes('x'), PEER);
      }).toThrow(TransportClosedError);
      expect(reported.take().map((r) => r.message)).toEqual([
        'Fatal read error on datagram transport',
      ]);
    });

    it('checks the data type and the address before the closed state, as asyncio [D2]', async () => {
      const endpoint = await open(new FakeDatagramHandle());
      endpoint.close();
      expect(
        thrownBy(() => {
          endpoint.sendto('x' as never, PEER);
        }),
      ).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
      expect(
        thrownBy(() => {
          endpoint.sendto(bytes('x'));
        }),
      ).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
    });

    it('hands an OS error of a send to errorReceived and stays open [D5]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.sendto(bytes('x'), PEER);
      const error = osError('EACCES', 'send EACCES', { syscall: 'send' });
      handle.complete(error);
      expect(rec.errors).toEqual([error]);
      expect(endpoint.isClosing()).toBe(false);
      endpoint.sendto(bytes('y'), PEER);
      expect(handle.sentText()).toEqual(['x', 'y']);
    });

    it('takes the fatal-error path for a send error that is not the OS’s [E1]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.sendto(bytes('x'), PEER);
      const error = new Error('broken');
      handle.complete(error);
      expect(endpoint.isClosing()).toBe(true);
      expect(reported.take().map((r) => r.message)).toEqual([
        'Fatal write error on datagram transport',
      ]);
      await turn();
      expect(rec.lost).toEqual([error]);
    });
  });
});
