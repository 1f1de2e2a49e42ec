/**
 * The datagram transport core (DatagramEndpoint) over a scriptable handle: lifecycle, sendto's
 * rules, the write buffer and flow control, and the Rx surfaces, without any socket.
 */
import type { InetAddress } from '../../src/core/address';
import type { DatagramHandle, DatagramHandleEvents } from '../../src/core/datagramHandle';
import { DatagramEndpoint, type DatagramEndpointConfig } from '../../src/core/DatagramEndpoint';
import type { Datagram, DatagramTransport } from '../../src/core/datagramTransports';
import { TransportClosedError, TransportError } from '../../src/core/errors';
import { setExceptionHandler, type ExceptionContext } from '../../src/core/exceptionHandler';
import { ConnectionRefusedError, osError } from '../../src/core/osErrors';
import type { DatagramProtocol } from '../../src/core/protocols';
import { bytes, turn } from '../helpers/FakeStreamHandle';

const PEER: InetAddress = { host: '192.0.2.7', port: 5000 };
const PEER6: InetAddress = { host: '2001:db8::7', port: 5000 };

/**
 * A scriptable DatagramHandle: the test decides whether a datagram leaves at once or waits in
 * the "OS" queue, when each send completes (and with what error), and what arrives.
 */
class FakeDatagramHandle implements DatagramHandle {
  reading = false;
  readStarts = 0;
  closes = 0;
  /** Whether `send` reports the datagram as gone at once (else it waits in a queue). */
  leaveAtOnce = true;
  readonly sent: { data: Uint8Array; addr: InetAddress }[] = [];
  private readonly pending: ((error: Error | null) => void)[] = [];
  private events: DatagramHandleEvents | null = null;

  constructor(
    readonly family: 'IPv4' | 'IPv6' = 'IPv4',
    readonly extraInfo: Readonly<Record<string, unknown>> = {},
  ) {}

  bind(events: DatagramHandleEvents): void {
    this.events = events;
  }

  readStart(): void {
    this.reading = true;
    this.readStarts += 1;
  }

  readStop(): void {
    this.reading = false;
  }

  send(data: Uint8Array, addr: InetAddress, done: (error: Error | null) => void): boolean {
    this.sent.push({ data, addr });
    this.pending.push(done);
    return this.leaveAtOnce;
  }

  /** Reports the completion of the oldest send not yet completed. */
  complete(error: Error | null = null): void {
    const done = this.pending.shift();
    if (!done) throw new Error('no send outstanding');
    done(error);
  }

  completeAll(): void {
    while (this.pending.length > 0) this.complete();
  }

  get outstanding(): number {
    return this.pending.length;
  }

  close(): void {
    this.closes += 1;
  }

  receive(data: string | Uint8Array, addr: InetAddress = PEER): void {
    this.events?.onDatagram(typeof data === 'string' ? bytes(data) : data, addr);
  }

  fail(error: Error): void {
    this.events?.onError(error);
  }

  drop(count: number): void {
    this.events?.onDropped(count);
  }

  sentText(): string[] {
    return this.sent.map((s) => Buffer.from(s.data).toString());
  }
}

/** A DatagramProtocol that records every callback. */
function recorder(overrides: Partial<DatagramProtocol<DatagramTransport>> = {}) {
  const events: string[] = [];
  const datagrams: Datagram[] = [];
  const errors: Error[] = [];
  const lost: (Error | null)[] = [];
  const protocol: DatagramProtocol<DatagramTransport> = {
    connectionMade: () => events.push('made'),
    datagramReceived: (data, addr) => {
      events.push('datagram');
      datagrams.push({ data, addr: addr as InetAddress });
    },
    errorReceived: (exc) => {
      events.push('error');
      errors.push(exc);
    },
    connectionLost: (exc) => {
      events.push('lost');
      lost.push(exc);
    },
    pauseWriting: () => events.push('pause'),
    resumeWriting: () => events.push('resume'),
    ...overrides,
  };
  return { protocol, events, datagrams, errors, lost };
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but the call returned');
}

async function open(
  handle: FakeDatagramHandle,
  config: DatagramEndpointConfig = {},
): Promise<DatagramEndpoint> {
  const endpoint = new DatagramEndpoint(handle, config);
  await endpoint.ready;
  return endpoint;
}

const refused = (): Error =>
  osError('ECONNREFUSED', 'recvmsg ECONNREFUSED', { syscall: 'recvmsg' });

describe('DatagramEndpoint', () => {
  let reported: ExceptionContext[];
  beforeEach(() => {
    reported = [];
    setExceptionHandler((context) => reported.push(context));
  });
  afterEach(() => {
    setExceptionHandler(null);
  });

  describe('construction', () => {
    it('delivers connectionMade on a later turn, then starts reading [S1]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = new DatagramEndpoint(handle, { protocol: rec.protocol });
      expect(rec.events).toEqual([]);
      expect(handle.reading).toBe(false);
      await endpoint.ready;
      expect(rec.events).toEqual(['made']);
      expect(handle.reading).toBe(true);
    });

    it('reports an exception from connectionMade and goes on [E4]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder({
        connectionMade: () => {
          throw new Error('made failed');
        },
      });
      const endpoint = await open(handle, { protocol: rec.protocol });
      expect(reported.map((r) => r.message)).toEqual(['Exception in protocol.connectionMade()']);
      expect(endpoint.isClosing()).toBe(false);
      handle.receive('x');
      expect(rec.events).toEqual(['datagram']);
    });
  });

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
      expect(reported.map((r) => r.message)).toEqual([
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
      expect(reported).toEqual([]);
    });

    it('takes the fatal-error path for an error that is not the OS’s [E1]', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      const error = new Error('not an OS error');
      handle.fail(error);
      expect(endpoint.isClosing()).toBe(true);
      expect(handle.closes).toBeGreaterThanOrEqual(1);
      expect(reported.map((r) => r.message)).toEqual(['Fatal read error on datagram transport']);
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
      expect(reported.map((r) => r.message)).toEqual(['Exception in protocol.errorReceived()']);
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

  describe('sendto', () => {
    it('sends a copy of the data to the address given', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      const data = bytes('abc');
      endpoint.sendto(data, PEER);
      data[0] = 0x7a;
      expect(handle.sentText()).toEqual(['abc']);
      expect(handle.sent[0]?.addr).toEqual({ host: PEER.host, port: PEER.port });
    });

    it('accepts any ArrayBufferView or an ArrayBuffer', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      endpoint.sendto(new Uint16Array([0x6968]), PEER);
      endpoint.sendto(new DataView(bytes('xyz').buffer, 1, 2), PEER);
      endpoint.sendto(bytes('ab').buffer as ArrayBuffer, PEER);
      expect(handle.sentText()).toEqual(['hi', 'yz', 'ab']);
    });

    it('refuses a string with TypeError ERR_INVALID_ARG_TYPE [W1, D2]', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      const error = thrownBy(() => {
        endpoint.sendto('text' as never, PEER);
      });
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
      expect(handle.sent).toEqual([]);
    });

    it('sends an empty datagram, as asyncio 3.13+ does [D3]', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      endpoint.sendto(new Uint8Array(0), PEER);
      expect(handle.sent).toHaveLength(1);
      expect(handle.sent[0]?.data.byteLength).toBe(0);
    });

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

    it('refuses a datagram over the UDP maximum with RangeError ERR_OUT_OF_RANGE', async () => {
      const v4 = new FakeDatagramHandle('IPv4');
      const v6 = new FakeDatagramHandle('IPv6');
      const endpoint4 = await open(v4);
      const endpoint6 = await open(v6);
      endpoint4.sendto(new Uint8Array(65_507), PEER);
      endpoint6.sendto(new Uint8Array(65_527), PEER6);
      for (const [endpoint, size, addr] of [
        [endpoint4, 65_508, PEER],
        [endpoint6, 65_528, PEER6],
      ] as const) {
        const error = thrownBy(() => {
          endpoint.sendto(new Uint8Array(size), addr);
        });
        expect(error).toBeInstanceOf(RangeError);
        expect(error).toHaveProperty('code', 'ERR_OUT_OF_RANGE');
        expect(endpoint.isClosing()).toBe(false);
      }
      expect([v4.sent.length, v6.sent.length]).toEqual([1, 1]);
    });

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
      expect(reported.map((r) => r.message)).toEqual(['Fatal write error on datagram transport']);
      await turn();
      expect(rec.lost).toEqual([error]);
    });
  });

  describe('write buffer and flow control [D4, W11–W14]', () => {
    it('does not count a datagram that left at once', async () => {
      const handle = new FakeDatagramHandle();
      const endpoint = await open(handle);
      endpoint.sendto(bytes('abc'), PEER);
      expect(endpoint.getWriteBufferSize()).toBe(0);
      handle.completeAll();
      expect(endpoint.getWriteBufferSize()).toBe(0);
    });

    it('counts queued datagrams until the OS took them', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const endpoint = await open(handle);
      endpoint.sendto(bytes('abc'), PEER);
      endpoint.sendto(bytes('de'), PEER);
      expect(endpoint.getWriteBufferSize()).toBe(5);
      handle.complete();
      expect(endpoint.getWriteBufferSize()).toBe(2);
      handle.complete();
      expect(endpoint.getWriteBufferSize()).toBe(0);
    });

    it('has asyncio’s default limits and rules', async () => {
      const endpoint = await open(new FakeDatagramHandle());
      expect(endpoint.getWriteBufferLimits()).toEqual([16 * 1024, 64 * 1024]);
      endpoint.setWriteBufferLimits(undefined, 100);
      expect(endpoint.getWriteBufferLimits()).toEqual([100, 400]);
      expect(
        thrownBy(() => {
          endpoint.setWriteBufferLimits(1, 2);
        }),
      ).toHaveProperty('code', 'ERR_OUT_OF_RANGE');
    });

    it('pauses above the high mark and resumes at the low one, with writable$ and drain()', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.setWriteBufferLimits(10, 4);
      const writable: boolean[] = [];
      endpoint.writable$.subscribe((value) => writable.push(value));
      endpoint.sendto(bytes('123456'), PEER);
      endpoint.sendto(bytes('789'), PEER);
      expect(rec.events).toEqual(['made']);
      endpoint.sendto(bytes('ab'), PEER); // 11 > 10
      endpoint.sendto(bytes('c'), PEER);
      expect(rec.events).toEqual(['made', 'pause']);
      let drained = false;
      void endpoint.drain().then(() => (drained = true));
      handle.complete(); // 6 left
      await turn();
      expect(rec.events).toEqual(['made', 'pause']);
      expect(drained).toBe(false);
      handle.complete(); // 3 left <= 4
      expect(rec.events).toEqual(['made', 'pause', 'resume']);
      await turn();
      expect(drained).toBe(true);
      expect(writable).toEqual([true, false, true]);
    });

    it('reports an exception from pauseWriting and goes on [W14]', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const rec = recorder({
        pauseWriting: () => {
          throw new Error('pause failed');
        },
      });
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.setWriteBufferLimits(0);
      endpoint.sendto(bytes('x'), PEER);
      expect(reported.map((r) => r.message)).toEqual(['protocol.pauseWriting() failed']);
      expect(endpoint.getWriteBufferSize()).toBe(1);
    });
  });

  describe('close [D7, B1–B3]', () => {
    it('stops reading at once and reports connectionLost(null) once, later', async () => {
      const handle = new FakeDatagramHandle();
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.close();
      endpoint.close();
      expect(endpoint.isClosing()).toBe(true);
      expect(handle.reading).toBe(false);
      handle.receive('late');
      handle.fail(refused());
      expect(rec.events).toEqual(['made']);
      await turn();
      expect(rec.events).toEqual(['made', 'lost']);
      expect(rec.lost).toEqual([null]);
      expect(handle.closes).toBeGreaterThanOrEqual(1);
    });

    it('lets queued datagrams go, then reports connectionLost(null)', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.sendto(bytes('a'), PEER);
      endpoint.sendto(bytes('b'), PEER);
      endpoint.close();
      await turn();
      expect(rec.events).toEqual(['made']);
      expect(handle.closes).toBe(0);
      handle.complete();
      handle.complete(osError('EACCES', 'send EACCES'));
      expect(rec.events).toEqual(['made', 'error']);
      await turn();
      expect(rec.events).toEqual(['made', 'error', 'lost']);
      expect(rec.lost).toEqual([null]);
      expect(handle.closes).toBeGreaterThanOrEqual(1);
    });

    it('reports an exception from connectionLost', async () => {
      const rec = recorder({
        connectionLost: () => {
          throw new Error('lost failed');
        },
      });
      const endpoint = await open(new FakeDatagramHandle(), { protocol: rec.protocol });
      endpoint.close();
      await turn();
      expect(reported.map((r) => r.message)).toEqual(['Exception in protocol.connectionLost()']);
    });
  });

  describe('abort [D7]', () => {
    it('drops queued datagrams, closes the handle, and reports connectionLost(null) later', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const rec = recorder();
      const endpoint = await open(handle, { protocol: rec.protocol });
      endpoint.sendto(bytes('a'), PEER);
      expect(endpoint.getWriteBufferSize()).toBe(1);
      endpoint.abort();
      expect(endpoint.getWriteBufferSize()).toBe(0);
      expect(endpoint.isClosing()).toBe(true);
      expect(handle.closes).toBe(1);
      handle.complete(osError('EACCES', 'send EACCES')); // a late report is ignored
      expect(rec.events).toEqual(['made']);
      await turn();
      expect(rec.events).toEqual(['made', 'lost']);
      expect(rec.lost).toEqual([null]);
    });

    it('rejects a pending drain()', async () => {
      const handle = new FakeDatagramHandle();
      handle.leaveAtOnce = false;
      const endpoint = await open(handle);
      endpoint.setWriteBufferLimits(0);
      endpoint.sendto(bytes('a'), PEER);
      const drained = endpoint.drain();
      endpoint.abort();
      await expect(drained).rejects.toBeInstanceOf(TransportClosedError);
    });
  });

  describe('closed$', () => {
    it('emits the loss once, replays it, then completes', async () => {
      const endpoint = await open(new FakeDatagramHandle());
      endpoint.close();
      await turn();
      const seen: (Error | null)[] = [];
      let completed = false;
      endpoint.closed$.subscribe({ next: (e) => seen.push(e), complete: () => (completed = true) });
      expect(seen).toEqual([null]);
      expect(completed).toBe(true);
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

  describe('getExtraInfo / setProtocol', () => {
    it('returns what the handle captured, or the default for unknown names [B4]', async () => {
      const sockname = { host: '127.0.0.1', port: 1, family: 'IPv4' };
      const endpoint = await open(
        new FakeDatagramHandle('IPv4', { sockname, peername: undefined }),
      );
      expect(endpoint.getExtraInfo('sockname')).toBe(sockname);
      expect(endpoint.getExtraInfo('peername', 'default')).toBeUndefined();
      expect(endpoint.getExtraInfo('nope', 'default')).toBe('default');
    });

    it('refuses a protocol that is not an object', async () => {
      const endpoint = await open(new FakeDatagramHandle());
      expect(
        thrownBy(() => {
          endpoint.setProtocol(null as never);
        }),
      ).toHaveProperty('code', 'ERR_INVALID_ARG_TYPE');
    });
  });
});
