/**
 * DatagramEndpoint's receiving side over a scriptable handle: datagramReceived and
 * errorReceived, dropped datagrams, and the datagrams$ and errors$ surfaces.
 */
import { TransportError } from '../../src/core/errors';
import { ConnectionRefusedError } from '../../src/core/osErrors';
import { FakeDatagramHandle, PEER, PEER6, open, refused } from '../helpers/FakeDatagramHandle';
import { turn } from '../helpers/FakeStreamHandle';
import { recorder } from '../helpers/recordingDatagramProtocol';
import { useExceptionReports } from '../helpers/exceptions';

describe('DatagramEndpoint', () => {
  const reported = useExceptionReports();

  describe('receiving', () => {
    it('delivers each datagram with its sender, empty ones included [D1]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      await open(handle, { protocol: rec.protocol });
      handle.receive('one');
      handle.receive(new Uint8Array(0), PEER6);
      expect(rec.datagrams.map((d) => [Buffer.from(d.data).toString(), d.addr])).toEqual([
        ['one', PEER],
        ['', PEER6],
      ]);
    });

    it('reports an exception from datagramReceived and stays open (asyncio: loop handler)', async () => {
      const handle = new FakeDatagramHandle();
      let calls = 0;
      const rec = recorder({
        datagramReceived: () => {
          calls += 1;
          throw new Error('bad datagram');
        },
      });
      const endpoint = await open(handle, { protocol: rec.protocol });
      handle.receive('a');
      handle.receive('b');
      expect(calls).toBe(2);
      expect(reported.take().map((r) => r.message)).toEqual([
        'Exception in protocol.datagramReceived()',
        'Exception in protocol.datagramReceived()',
      ]);
      expect(endpoint.isClosing()).toBe(false);
    });

    it('hands an OS error while receiving to errorReceived and stays open [D5]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      const error = refused();
      handle.fail(error);
      handle.receive('after');
      expect(rec.events).toEqual(['made', 'error', 'datagram']);
      expect(rec.errors).toEqual([error]);
      expect(rec.errors[0]).toBeInstanceOf(ConnectionRefusedError);
      expect(endpoint.isClosing()).toBe(false);
      expect(reported.take()).toEqual([]);
    });

    it('takes the fatal-error path for an error that is not the OS’s [E1]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      const error = new Error('not an OS error');
      handle.fail(error);
      expect(endpoint.isClosing()).toBe(true);
      expect(handle.closes).toBeGreaterThanOrEqual(1);
      expect(reported.take().map((r) => r.message)).toEqual([
        'Fatal read error on datagram transport',
      ]);
      await turn();
      expect(rec.lost).toEqual([error]);
    });

    it('reports an exception from errorReceived', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder({
        errorReceived: () => {
          throw new Error('oops');
        },
      });
      const endpoint = await open(handle, { protocol: rec.protocol });
      handle.fail(refused());
      expect(reported.take().map((r) => r.message)).toEqual([
        'Exception in protocol.errorReceived()',
      ]);
      expect(endpoint.isClosing()).toBe(false);
    });

    it('reports datagrams the handle dropped to errorReceived as ERR_DATAGRAMS_DROPPED', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      await open(handle, { protocol: rec.protocol });
      handle.drop(3);
      expect(rec.errors).toHaveLength(1);
      expect(rec.errors[0]).toBeInstanceOf(TransportError);
      expect(rec.errors[0]).toMatchObject({ code: 'ERR_DATAGRAMS_DROPPED' });
      expect(rec.errors[0]?.message).toMatch(/^3 received datagrams were dropped/);
    });
  });

  describe('datagrams$', () => {
    it('emits { data, addr } to every subscriber (hot, multicast)', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      const a: string[] = [];
      const b: string[] = [];
      endpoint.datagrams$.subscribe((d) =>
        a.push(`${Buffer.from(d.data).toString()}@${d.addr.port}`),
      );
      handle.receive('one');
      endpoint.datagrams$.subscribe((d) => b.push(Buffer.from(d.data).toString()));
      handle.receive('two');
      expect(a).toEqual(['one@5000', 'two@5000']);
      expect(b).toEqual(['two']);
    });

    it('holds datagrams for the first subscriber, and stops reading when the hold is full', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle, { datagramBufferCapacity: 30 });
      handle.receive('0123456789'); // 10 + 8
      expect(handle.reading).toBe(true);
      handle.receive('abcd'); // 4 + 8: 30 held
      expect(handle.reading).toBe(false);
      const seen: string[] = [];
      endpoint.datagrams$.subscribe((d) => seen.push(Buffer.from(d.data).toString()));
      expect(seen).toEqual(['0123456789', 'abcd']);
      expect(handle.reading).toBe(true);
      const late: string[] = [];
      endpoint.datagrams$.subscribe((d) => late.push(Buffer.from(d.data).toString()));
      expect(late).toEqual([]); // no replay
    });

    it('completes when the endpoint closes, and errors when it is lost with an error', async () => {
      const closedHandle = new FakeDatagramHandle();
      const closed = await open(closedHandle);
      const failedHandle = new FakeDatagramHandle();
      const failed = await open(failedHandle);
      const ends: string[] = [];
      closed.datagrams$.subscribe({ complete: () => ends.push('complete') });
      failed.datagrams$.subscribe({ error: (e: unknown) => ends.push(`error ${String(e)}`) });
      closed.close();
      failedHandle.fail(new Error('boom'));
      await turn();
      expect(ends.sort()).toEqual(['complete', 'error Error: boom']);
      expect(reported.take().map((r) => r.message)).toEqual([
        'Fatal read error on datagram transport',
      ]);
    });

    it('releases its hold on reading when a protocol takes over', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle, { datagramBufferCapacity: 9 });
      handle.receive('x');
      expect(handle.reading).toBe(false);
      const rec = recorder();
      endpoint.setProtocol(rec.protocol);
      expect(endpoint.getProtocol()).toBe(rec.protocol);
      expect(handle.reading).toBe(true);
      handle.receive('y');
      expect(rec.datagrams.map((d) => Buffer.from(d.data).toString())).toEqual(['y']);
      const held: string[] = [];
      endpoint.datagrams$.subscribe((d) => held.push(Buffer.from(d.data).toString()));
      expect(held).toEqual(['x']);
    });
  });

  describe('errors$', () => {
    it('emits what errorReceived gets, is not held, and completes on close', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      handle.fail(refused()); // nobody listens yet: not kept
      const errors: unknown[] = [];
      let completed = false;
      endpoint.errors$.subscribe({
        next: (e) => errors.push(e),
        complete: () => (completed = true),
      });
      const error = refused();
      handle.fail(error);
      handle.drop(1);
      expect(errors).toHaveLength(2);
      expect(errors[0]).toBe(error);
      expect(errors[1]).toHaveProperty('code', 'ERR_DATAGRAMS_DROPPED');
      endpoint.close();
      await turn();
      expect(completed).toBe(true);
    });

    it('completes (and datagrams$ too) when a user protocol had replaced the Rx one', async () => {
      const endpoint = await open(new FakeDatagramHandle(), { protocol: recorder().protocol });
      const ends: string[] = [];
      endpoint.errors$.subscribe({ complete: () => ends.push('errors$') });
      endpoint.datagrams$.subscribe({ complete: () => ends.push('datagrams$') });
      endpoint.abort();
      await turn();
      expect(ends.sort()).toEqual(['datagrams$', 'errors$']);
    });
  });
});
