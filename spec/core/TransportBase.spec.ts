/**
 * The shared lifecycle on its own: a minimal transport over TransportBase whose buffer is a
 * number the test sets, in virtual time (callSoon queues; `turn()` runs what was queued).
 */
import {
  TransportBase,
  type BuiltInProtocol,
  type LifecycleHandle,
} from '../../src/core/TransportBase';
import type { BaseProtocol } from '../../src/core/protocols';
import { useExceptionReports } from '../helpers/exceptions';

type P = BaseProtocol<MiniTransport>;

class MiniRx implements BaseProtocol<MiniTransport>, BuiltInProtocol {
  readonly events: string[] = [];
  attach(): void {
    this.events.push('attach');
  }
  detach(): void {
    this.events.push('detach');
  }
  connectionLost(exc: Error | null): void {
    this.events.push(`rx lost ${exc ? exc.message : 'null'}`);
  }
}

class MiniHandle implements LifecycleHandle {
  readonly events: string[] = [];
  readonly extraInfo = { peername: 'peer' };
  readStart(): void {
    this.events.push('readStart');
  }
  readStop(): void {
    this.events.push('readStop');
  }
  close(): void {
    this.events.push('close');
  }
}

class MiniTransport extends TransportBase<MiniTransport, P, MiniRx, MiniHandle> {
  protected readonly rx = new MiniRx();
  buffered = 0;
  wantsToRead = true;

  constructor(handle: MiniHandle, callSoon: (fn: () => void) => void, protocol?: P) {
    super(handle, callSoon);
    this.useProtocol(protocol);
  }

  get rxEvents(): string[] {
    return this.rx.events;
  }

  getWriteBufferSize(): number {
    return this.buffered;
  }

  protected writesPending(): boolean {
    return this.buffered > 0;
  }

  protected dropWrites(): void {
    this.buffered = 0;
  }

  protected readingWanted(): boolean {
    return this.wantsToRead;
  }

  /** The buffer went down to `size` outside a write. */
  shrankTo(size: number): void {
    this.buffered = size;
    this.writeBufferShrank();
  }

  fail(error: unknown): void {
    this.fatalError(error, 'Fatal error for the test');
  }
}

function setup(protocol?: P) {
  const queued: (() => void)[] = [];
  const turn = (): void => {
    for (const fn of queued.splice(0)) fn();
  };
  const handle = new MiniHandle();
  const transport = new MiniTransport(handle, (fn) => queued.push(fn), protocol);
  const lost: (Error | null)[] = [];
  transport.closed$.subscribe((exc) => lost.push(exc));
  return { handle, transport, turn, lost };
}

function recording() {
  const events: string[] = [];
  const protocol: P = {
    connectionMade: () => events.push('made'),
    connectionLost: (exc) => events.push(`lost ${exc ? exc.message : 'null'}`),
  };
  return { protocol, events };
}

describe('TransportBase', () => {
  const reports = useExceptionReports();

  it('goes connecting → open → closing → lost → closed, each change on its turn', () => {
    const { protocol, events } = recording();
    const { transport, handle, turn, lost } = setup(protocol);
    expect(transport.state).toBe('connecting');
    expect(events).toEqual([]);
    turn();
    expect(transport.state).toBe('open');
    expect(events).toEqual(['made']);
    expect(handle.events).toEqual(['readStart']);
    transport.buffered = 10;
    transport.close();
    expect(transport.state).toBe('closing');
    expect(transport.isClosing()).toBe(true);
    expect(handle.events).toEqual(['readStart', 'readStop']);
    transport.shrankTo(0);
    expect(transport.state).toBe('lost');
    expect(lost).toEqual([]);
    turn();
    expect(transport.state).toBe('closed');
    expect(events).toEqual(['made', 'lost null']);
    expect(lost).toEqual([null]);
    expect(handle.events).toEqual(['readStart', 'readStop', 'close']);
  });

  it('still delivers connectionMade, then connectionLost, when closed before it', () => {
    const { protocol, events } = recording();
    const { transport, handle, turn } = setup(protocol);
    transport.close();
    expect(transport.state).toBe('lost');
    turn();
    expect(events).toEqual(['made', 'lost null']);
    expect(transport.state).toBe('closed');
    // Never read: the transport was closing before it was open.
    expect(handle.events).toEqual(['close']);
  });

  it('abort() drops the buffer, closes the handle at once and rejects drains at once', async () => {
    const { transport, handle, turn } = setup();
    turn();
    transport.buffered = 100;
    transport.setWriteBufferLimits(10);
    const pending = transport.drain();
    transport.abort();
    expect(transport.getWriteBufferSize()).toBe(0);
    expect(handle.events).toEqual(['readStart', 'readStop', 'close']);
    await expect(pending).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    await expect(transport.drain()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
  });

  it('schedules the loss once whatever comes after it', () => {
    const { protocol, events } = recording();
    const { transport, turn, lost } = setup(protocol);
    turn();
    transport.abort();
    transport.close();
    transport.fail(new Error('late'));
    transport.abort();
    turn();
    expect(events).toEqual(['made', 'lost null']);
    expect(lost).toEqual([null]);
    // As asyncio's _fatal_error: the bug is reported even when the loss was already scheduled.
    expect(reports.take().map((r) => r.message)).toEqual(['Fatal error for the test']);
  });

  it('reports a fatal error that is not an OS error and loses the connection with it', () => {
    const { protocol, events } = recording();
    const { transport, turn } = setup(protocol);
    turn();
    transport.fail(new Error('bug'));
    turn();
    expect(events).toEqual(['made', 'lost bug']);
    expect(reports.take().map((r) => r.message)).toEqual(['Fatal error for the test']);
  });

  it('stops reading while a hold is taken, and while the subclass does not want to read', () => {
    const { transport, handle, turn } = setup();
    turn();
    const release = transport.holdReading();
    const second = transport.holdReading();
    release();
    release();
    expect(handle.events).toEqual(['readStart', 'readStop']);
    second();
    expect(handle.events).toEqual(['readStart', 'readStop', 'readStart']);
  });

  it('tells the built-in protocol when it is replaced and when it comes back', () => {
    const { transport, turn } = setup();
    turn();
    const rx = transport.getProtocol();
    transport.setProtocol({});
    transport.setProtocol({});
    transport.setProtocol(rx);
    transport.setProtocol(rx);
    expect(transport.rxEvents).toEqual(['detach', 'detach', 'attach']);
  });

  it('ends the built-in protocol too when a user protocol took over', () => {
    const { protocol, events } = recording();
    const { transport, turn } = setup();
    transport.setProtocol(protocol);
    turn();
    transport.abort();
    turn();
    expect(events).toEqual(['made', 'lost null']);
    expect(transport.rxEvents).toEqual(['detach', 'rx lost null']);
  });

  it('refuses a protocol that is not an object, keeping the one it had', () => {
    const { transport } = setup();
    const before = transport.getProtocol();
    expect(() => {
      transport.setProtocol(null as unknown as P);
    }).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(transport.getProtocol()).toBe(before);
  });

  it('answers getExtraInfo from the handle', () => {
    const { transport } = setup();
    expect(transport.getExtraInfo('peername')).toBe('peer');
    expect(transport.getExtraInfo('nothing', 'default')).toBe('default');
  });
});
