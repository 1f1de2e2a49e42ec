/**
 * The platform-free subprocess transport over a scripted ProcessHandle: its child pipe
 * transports (getPipeTransport) and the Rx surfaces over them (data$, output$, sink).
 */
import { lastValueFrom, toArray } from 'rxjs';
import { TransportClosedError } from '../../src/core/errors';
import type { ProcessOutput } from '../../src/core/transports';
import { finish, open } from '../helpers/FakeProcessHandle';
import { bytes } from '../helpers/FakeStreamHandle';
import { useExceptionReports } from '../helpers/exceptions';

describe('ProcessTransport', () => {
  const reported = useExceptionReports();

  describe('getPipeTransport', () => {
    it('returns the child transports of fds 0, 1 and 2', async () => {
      const { transport } = await open();
      expect(transport.getPipeTransport(0)).toBe(transport.stdin);
      expect(transport.getPipeTransport(1)).toBe(transport.stdout);
      expect(transport.getPipeTransport(2)).toBe(transport.stderr);
      expect(transport.stdin).not.toBeNull();
      expect(transport.stdout).not.toBe(transport.stderr);
    });

    it('returns null for a descriptor that is not piped', async () => {
      const { transport } = await open([false, true, false]);
      expect(transport.getPipeTransport(0)).toBeNull();
      expect(transport.getPipeTransport(1)).not.toBeNull();
      expect(transport.getPipeTransport(2)).toBeNull();
    });

    it('throws RangeError ERR_OUT_OF_RANGE for fd 3 and TypeError for a non-number', async () => {
      const { transport } = await open();
      expect(() => transport.getPipeTransport(3)).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
      expect(() => transport.getPipeTransport('1' as unknown as number)).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    });
  });

  describe('Rx surfaces', () => {
    it('reads stdout through data$, tags output$ by fd and writes stdin through sink', async () => {
      const opened = await open([true, true, true], { withProtocol: false });
      const { handle, transport } = opened;
      const data = lastValueFrom(transport.data$.pipe(toArray()));
      const output = lastValueFrom(transport.output$.pipe(toArray()));
      handle.stdout.receive('out');
      handle.stderr.receive('err');
      handle.stdin.acceptAtOnce = true;
      transport.sink.next(bytes('in'));
      transport.sink.complete();
      expect(handle.stdin.text()).toBe('in');
      await finish(opened.handle);
      expect(Buffer.concat(await data).toString()).toBe('out');
      const tagged = (await output).map(({ fd, data: d }: ProcessOutput) => [
        fd,
        Buffer.from(d).toString(),
      ]);
      expect(tagged).toEqual([
        [1, 'out'],
        [2, 'err'],
      ]);
      expect(transport.stdin!.isClosing()).toBe(true);
    });

    it('completes data$ and output$ at once when nothing is piped', async () => {
      const { transport } = await open([false, false, false], { withProtocol: false });
      expect(await lastValueFrom(transport.data$.pipe(toArray()))).toEqual([]);
      expect(await lastValueFrom(transport.output$.pipe(toArray()))).toEqual([]);
    });

    it('refuses sink writes when stdin is not piped, reporting TransportClosedError', async () => {
      const { transport } = await open([false, true, true], { withProtocol: false });
      transport.sink.next(bytes('nowhere'));
      const reports = reported.take();
      expect(reports).toHaveLength(1);
      expect(reports[0]!.exception).toBeInstanceOf(TransportClosedError);
      expect(reports[0]!.transport).toBe(transport);
    });
  });
});
