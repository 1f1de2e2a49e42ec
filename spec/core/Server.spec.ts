/**
 * The core Server over FakeListenerHandles: connections are handed to it by the test, and
 * every accepted connection is a StreamTransport over a FakeStreamHandle.
 */
import { TransportClosedError } from '../../src/core/errors';
import type { StreamProtocol } from '../../src/core/protocols';
import { ListeningServer } from '../../src/core/Server';
import type { SocketTransport } from '../../src/core/transports';
import { useExceptionReports } from '../helpers/exceptions';
import { FakeListenerHandle } from '../helpers/FakeListenerHandle';
import { bytes, turn } from '../helpers/FakeStreamHandle';
import { settlesSoon } from '../helpers/waits';
import { recordingProtocol } from '../helpers/recordingProtocol';

function serve(
  protocolFactory?: () => StreamProtocol<SocketTransport>,
  listeners = [new FakeListenerHandle()],
) {
  const server = new ListeningServer(listeners, protocolFactory ? { protocolFactory } : {});
  const accepted: SocketTransport[] = [];
  const ends: string[] = [];
  return {
    server,
    listener: listeners[0]!,
    listeners,
    accepted,
    ends,
    /** Subscribes to connections$, recording what it emits and how it ends. */
    subscribe: () =>
      server.connections$.subscribe({
        next: (transport) => accepted.push(transport),
        complete: () => ends.push('complete'),
        error: () => ends.push('error'),
      }),
  };
}

describe('Server', () => {
  const reports = useExceptionReports();

  describe('connections$', () => {
    it('starts listening on every listener at construction', () => {
      const { listeners } = serve(undefined, [new FakeListenerHandle(), new FakeListenerHandle()]);
      expect(listeners.map((l) => l.listens)).toEqual([1, 1]);
    });

    it('emits an accepted connection once its connectionMade ran, not before', async () => {
      const recs: ReturnType<typeof recordingProtocol>[] = [];
      const { listener, accepted, subscribe } = serve(() => {
        const rec = recordingProtocol();
        recs.push(rec);
        return rec.protocol;
      });
      subscribe();
      listener.connect();
      expect(recs).toHaveLength(1);
      expect(accepted).toEqual([]);
      await turn();
      expect(accepted).toHaveLength(1);
      expect(recs[0]!.events).toEqual(['made']);
      expect(accepted[0]!.getProtocol()).toBe(recs[0]!.protocol);
    });

    it('emits Rx transports, reading, when there is no protocol factory', async () => {
      const { listener, accepted, subscribe } = serve();
      subscribe();
      const handle = listener.connect();
      await turn();
      expect(accepted).toHaveLength(1);
      const got: string[] = [];
      accepted[0]!.data$.subscribe((chunk) => got.push(Buffer.from(chunk).toString()));
      handle.receive('hello');
      expect(got).toEqual(['hello']);
    });

    it('queues connections accepted before the first subscriber, in order, and replays none', async () => {
      const { listener, server, accepted, subscribe } = serve();
      const first = listener.connect();
      const second = listener.connect();
      await turn();
      subscribe();
      expect(accepted).toHaveLength(2);
      first.receive('1');
      second.receive('2');
      const seen: string[] = [];
      accepted.forEach((transport, i) =>
        transport.data$.subscribe((chunk) => seen.push(`${i}:${Buffer.from(chunk).toString()}`)),
      );
      expect(seen).toEqual(['0:1', '1:2']);
      const late: SocketTransport[] = [];
      server.connections$.subscribe((transport) => late.push(transport));
      expect(late).toEqual([]);
    });

    it('multicasts connections accepted while subscribed', async () => {
      const { listener, server, accepted, subscribe } = serve();
      subscribe();
      const other: SocketTransport[] = [];
      server.connections$.subscribe((transport) => other.push(transport));
      listener.connect();
      await turn();
      expect(accepted).toHaveLength(1);
      expect(other).toEqual(accepted);
    });

    it('completes when the server closes', () => {
      const { server, ends, subscribe } = serve();
      subscribe();
      expect(ends).toEqual([]);
      server.close();
      expect(ends).toEqual(['complete']);
    });
  });

  describe('close', () => {
    it('stops serving and closes every listener, once however often it is called', () => {
      const { server, listeners } = serve(undefined, [
        new FakeListenerHandle(),
        new FakeListenerHandle(),
      ]);
      expect(server.isServing()).toBe(true);
      server.close();
      server.close();
      expect(server.isServing()).toBe(false);
      expect(listeners.map((l) => l.closes)).toEqual([1, 1]);
    });

    it('leaves accepted connections open', async () => {
      const { server, listener, accepted, subscribe } = serve();
      subscribe();
      const handle = listener.connect();
      await turn();
      server.close();
      await turn();
      expect(accepted[0]!.isClosing()).toBe(false);
      expect(handle.closes).toBe(0);
    });

    it('closes connections that arrive after it, without a transport', async () => {
      const { server, listener, accepted, subscribe } = serve(() => {
        throw new Error('not called');
      });
      subscribe();
      server.close();
      const handle = listener.connect();
      await turn();
      expect(handle.closes).toBe(1);
      expect(accepted).toEqual([]);
    });
  });

  describe('addresses and address', () => {
    it('give every listener address, and the first one, while serving', () => {
      const a = { host: '127.0.0.1', port: 1111, family: 'IPv4' } as const;
      const b = { host: '::1', port: 2222, family: 'IPv6' } as const;
      const { server } = serve(undefined, [new FakeListenerHandle(a), new FakeListenerHandle(b)]);
      expect(server.addresses()).toEqual([a, b]);
      expect(server.address()).toEqual(a);
    });

    it('are empty, and throw TransportClosedError, once closed', () => {
      const { server } = serve(undefined, [new FakeListenerHandle({ path: '/tmp/s.sock' })]);
      expect(server.address()).toEqual({ path: '/tmp/s.sock' });
      server.close();
      expect(server.addresses()).toEqual([]);
      expect(() => server.address()).toThrow(TransportClosedError);
    });
  });

  describe('waitClosed', () => {
    it('stays pending while the server serves', async () => {
      const { server } = serve();
      expect(await settlesSoon(server.waitClosed())).toBe(false);
    });

    it('resolves once closed when no connection was accepted, also when asked after', async () => {
      const { server } = serve();
      const early = server.waitClosed();
      server.close();
      expect(await settlesSoon(early)).toBe(true);
      expect(await settlesSoon(server.waitClosed())).toBe(true);
    });

    it('waits for every accepted connection to deliver connectionLost', async () => {
      const recs: ReturnType<typeof recordingProtocol>[] = [];
      const { server, listener, accepted, subscribe } = serve(() => {
        const rec = recordingProtocol();
        recs.push(rec);
        return rec.protocol;
      });
      subscribe();
      listener.connect().acceptAtOnce = true;
      listener.connect().acceptAtOnce = true;
      await turn();
      const closed = server.waitClosed();
      server.close();
      expect(await settlesSoon(closed)).toBe(false);
      accepted[0]!.close();
      await turn();
      expect(recs[0]!.events).toContain('lost');
      expect(await settlesSoon(closed)).toBe(false);
      accepted[1]!.abort();
      await turn();
      expect(recs[1]!.events).toContain('lost');
      expect(await settlesSoon(closed)).toBe(true);
    });

    it('does not resolve when every connection is lost but the server still serves', async () => {
      const { server, listener, accepted, subscribe } = serve();
      subscribe();
      listener.connect();
      await turn();
      accepted[0]!.abort();
      await turn();
      expect(await settlesSoon(server.waitClosed())).toBe(false);
    });
  });

  describe('closeClients and abortClients', () => {
    it('closeClients closes every open connection, letting buffered data go first', async () => {
      const recs: ReturnType<typeof recordingProtocol>[] = [];
      const { server, listener, accepted, subscribe } = serve(() => {
        const rec = recordingProtocol();
        recs.push(rec);
        return rec.protocol;
      });
      subscribe();
      const slow = listener.connect();
      const quick = listener.connect();
      quick.acceptAtOnce = true;
      await turn();
      accepted[0]!.write(bytes('pending'));
      server.closeClients();
      expect(accepted.map((t) => t.isClosing())).toEqual([true, true]);
      expect(server.isServing()).toBe(true);
      await turn();
      expect(recs[1]!.lost).toEqual([null]);
      expect(recs[0]!.lost).toEqual([]);
      slow.completeWrite();
      await turn();
      expect(recs[0]!.lost).toEqual([null]);
      expect(slow.text()).toBe('pending');
    });

    it('abortClients aborts every open connection, dropping buffered data', async () => {
      const recs: ReturnType<typeof recordingProtocol>[] = [];
      const { server, listener, accepted, subscribe } = serve(() => {
        const rec = recordingProtocol();
        recs.push(rec);
        return rec.protocol;
      });
      subscribe();
      const handles = [listener.connect(), listener.connect()];
      await turn();
      accepted[0]!.write(bytes('dropped'));
      server.abortClients();
      expect(handles.map((h) => h.closes)).toEqual([1, 1]);
      expect(accepted.map((t) => t.getWriteBufferSize())).toEqual([0, 0]);
      await turn();
      expect(recs.map((r) => r.lost)).toEqual([[null], [null]]);
      expect(server.isServing()).toBe(true);
    });

    it('leave connections that were already lost alone', async () => {
      const { server, listener, accepted, subscribe } = serve();
      subscribe();
      const handles = [listener.connect(), listener.connect()];
      await turn();
      accepted[0]!.abort();
      await turn();
      const closesOfLost = handles[0]!.closes;
      server.abortClients();
      expect(handles[0]!.closes).toBe(closesOfLost);
      expect(handles[1]!.closes).toBeGreaterThan(0);
    });
  });

  describe('a failing protocol factory', () => {
    it('is reported, its connection closed, and the server goes on serving', async () => {
      const boom = new Error('boom');
      let calls = 0;
      const { server, listener, accepted, subscribe } = serve(() => {
        calls += 1;
        if (calls === 1) throw boom;
        return recordingProtocol().protocol;
      });
      subscribe();
      const refused = listener.connect();
      expect(refused.closes).toBe(1);
      expect(reports.take()).toEqual([
        expect.objectContaining({
          message: 'Error on transport creation for incoming connection',
          exception: boom,
        }),
      ]);
      expect(server.isServing()).toBe(true);
      listener.connect();
      await turn();
      expect(accepted).toHaveLength(1);
      server.close();
      accepted[0]!.abort();
      await turn();
      expect(await settlesSoon(server.waitClosed())).toBe(true);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['a string', 'protocol'],
    ])(
      'returning %s is reported as ERR_INVALID_ARG_TYPE and its connection closed',
      async (_label, value) => {
        const { listener, accepted, subscribe } = serve(() => value as never);
        subscribe();
        const handle = listener.connect();
        expect(handle.closes).toBe(1);
        await turn();
        expect(accepted).toEqual([]);
        const [report, ...rest] = reports.take();
        expect(rest).toEqual([]);
        expect(report!.message).toBe('Error on transport creation for incoming connection');
        expect(report!.exception).toMatchObject({
          name: 'TypeError',
          code: 'ERR_INVALID_ARG_TYPE',
        });
      },
    );
  });
});
