import { firstValueFrom } from 'rxjs';
import { StreamTransport } from '../../src/core/StreamTransport';
import { osError } from '../../src/core/osErrors';
import { FakeStreamHandle, bytes, endOfTurn, turn } from '../helpers/FakeStreamHandle';
import { useExceptionReports } from '../helpers/exceptions';

async function open(capacity?: number) {
  const handle = new FakeStreamHandle();
  handle.acceptAtOnce = true;
  const transport = new StreamTransport(handle, { dataBufferCapacity: capacity });
  await turn();
  return { handle, transport };
}

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString();

describe('StreamTransport Rx surfaces', () => {
  const reported = useExceptionReports();

  describe('data$', () => {
    it('multicasts chunks to every subscriber', async () => {
      const { handle, transport } = await open();
      const a: Uint8Array[] = [];
      const b: Uint8Array[] = [];
      transport.data$.subscribe((c) => a.push(c));
      transport.data$.subscribe((c) => b.push(c));
      handle.receive('hi');
      expect(text(a)).toBe('hi');
      expect(text(b)).toBe('hi');
    });

    it('holds chunks that arrive before the first subscriber, without replaying them later', async () => {
      const { handle, transport } = await open();
      handle.receive('early ');
      handle.receive('bird');
      const first: Uint8Array[] = [];
      transport.data$.subscribe((c) => first.push(c));
      expect(text(first)).toBe('early bird');
      const second: Uint8Array[] = [];
      transport.data$.subscribe((c) => second.push(c));
      expect(second).toEqual([]);
    });

    // A first subscriber that unsubscribes while the held chunks are handed to it leaves the
    // rest held for the next one.
    it('keeps the held chunks a first subscriber did not take (firstValueFrom)', async () => {
      const { handle, transport } = await open();
      handle.receive('one');
      handle.receive('two');
      handle.receive('three');
      expect(text([await firstValueFrom(transport.data$)])).toBe('one');
      const rest: Uint8Array[] = [];
      transport.data$.subscribe((c) => rest.push(c));
      expect(text(rest)).toBe('twothree');
    });

    it('pauses reading when the held chunks fill the buffer, and resumes on subscribe', async () => {
      const { handle, transport } = await open(10);
      handle.receive('12345');
      expect(handle.reading).toBe(true);
      handle.receive('67890');
      expect(handle.reading).toBe(false);
      expect(transport.isReading()).toBe(true);
      const got: Uint8Array[] = [];
      transport.data$.subscribe((c) => got.push(c));
      expect(text(got)).toBe('1234567890');
      expect(handle.reading).toBe(true);
    });

    it('reads on for a protocol that replaces the Rx one while data$ holds a full buffer', async () => {
      const { handle, transport } = await open(4);
      handle.receive('12345');
      expect(handle.reading).toBe(false);
      const got: string[] = [];
      transport.setProtocol({ dataReceived: (d) => got.push(Buffer.from(d).toString()) });
      expect(handle.reading).toBe(true);
      handle.receive('next');
      expect(got).toEqual(['next']);
    });

    it('keeps a user pause when the held buffer empties', async () => {
      const { handle, transport } = await open(4);
      handle.receive('12345');
      transport.pauseReading();
      transport.data$.subscribe();
      expect(handle.reading).toBe(false);
      transport.resumeReading();
      expect(handle.reading).toBe(true);
    });

    it('completes on EOF and leaves the write side open', async () => {
      const { handle, transport } = await open();
      let completed = false;
      transport.data$.subscribe({ complete: () => (completed = true) });
      handle.receiveEof();
      expect(completed).toBe(true);
      await turn();
      expect(transport.isClosing()).toBe(false);
      transport.write(bytes('still open'));
      await endOfTurn();
      expect(handle.text()).toBe('still open');
    });

    it('delivers held chunks, then completion, to a subscriber arriving after EOF', async () => {
      const { handle, transport } = await open();
      handle.receive('last words');
      handle.receiveEof();
      const got: Uint8Array[] = [];
      let completed = false;
      transport.data$.subscribe({ next: (c) => got.push(c), complete: () => (completed = true) });
      expect(text(got)).toBe('last words');
      expect(completed).toBe(true);
    });

    it('errors when the connection is lost with an error', async () => {
      const { handle, transport } = await open();
      const reset = osError('ECONNRESET', 'read ECONNRESET');
      let error: unknown;
      transport.data$.subscribe({ error: (e: unknown) => (error = e) });
      handle.fail(reset);
      await turn();
      expect(error).toBe(reset);
    });

    it('ends when a user protocol replaced the Rx one', async () => {
      const { transport } = await open();
      let completed = false;
      transport.data$.subscribe({ complete: () => (completed = true) });
      transport.setProtocol({});
      transport.close();
      await turn();
      expect(completed).toBe(true);
    });
  });

  describe('half-close', () => {
    it('closes once EOF was received and then sent', async () => {
      const { handle, transport } = await open();
      handle.receiveEof();
      await turn();
      expect(transport.isClosing()).toBe(false);
      transport.writeEof();
      expect(transport.isClosing()).toBe(true);
      await turn();
      const lost: (Error | null)[] = [];
      transport.closed$.subscribe((e) => lost.push(e));
      expect(lost).toEqual([null]);
    });

    it('closes once EOF was sent and then received', async () => {
      const { handle, transport } = await open();
      transport.writeEof();
      expect(handle.shutdowns).toBe(1);
      handle.receive('tail');
      handle.receiveEof();
      expect(transport.isClosing()).toBe(true);
    });
  });

  describe('sink', () => {
    it('writes on next and sends EOF on complete', async () => {
      const { handle, transport } = await open();
      transport.sink.next(bytes('abc'));
      transport.sink.complete();
      expect(handle.text()).toBe('abc');
      expect(handle.shutdowns).toBe(1);
    });

    it('closes on complete where EOF cannot be sent', async () => {
      const handle = new FakeStreamHandle();
      handle.canShutdown = false;
      const transport = new StreamTransport(handle);
      await turn();
      transport.sink.complete();
      expect(transport.isClosing()).toBe(true);
    });

    it('aborts with the error on error, which closed$ and data$ carry', async () => {
      const { transport } = await open();
      const failure = new Error('upstream failed');
      let dataError: unknown;
      transport.data$.subscribe({ error: (e: unknown) => (dataError = e) });
      transport.sink.error(failure);
      await turn();
      const lost: (Error | null)[] = [];
      transport.closed$.subscribe((e) => lost.push(e));
      expect(lost).toEqual([failure]);
      expect(dataError).toBe(failure);
    });

    it('never throws: invalid data is a fatal TypeError on closed$', async () => {
      const { transport } = await open();
      expect(() => {
        transport.sink.next('text' as never);
      }).not.toThrow();
      await turn();
      const lost: (Error | null)[] = [];
      transport.closed$.subscribe((e) => lost.push(e));
      expect(lost[0]).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      expect(reported.take().map((r) => r.message)).toEqual([
        'Fatal error: invalid value passed to sink.next()',
      ]);
    });

    it('reports a write after close to the exception handler instead of throwing', async () => {
      const { transport } = await open();
      transport.close();
      expect(() => {
        transport.sink.next(bytes('late'));
      }).not.toThrow();
      expect(reported.take()[0]?.exception).toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    });

    it('echoes when data$ is subscribed to sink', async () => {
      const { handle, transport } = await open();
      transport.data$.subscribe(transport.sink);
      handle.receive('ping');
      handle.receiveEof();
      expect(handle.text()).toBe('ping');
      expect(handle.shutdowns).toBe(1);
      expect(transport.isClosing()).toBe(true);
    });
  });
});
