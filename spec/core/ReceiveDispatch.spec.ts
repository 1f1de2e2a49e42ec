/**
 * ReceiveDispatch over a target whose state the test sets: what reaches a Protocol or a
 * BufferedProtocol, what is held while reading is paused, and what is thrown away once closing.
 */
import { ReceiveDispatch, type ReceiveTarget } from '../../src/core/ReceiveDispatch';
import type { BufferedProtocol, Protocol } from '../../src/core/protocols';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

function target() {
  const events: string[] = [];
  const state = { receiving: true, discarding: false };
  const t: ReceiveTarget = {
    get receiving() {
      return state.receiving;
    },
    get discarding() {
      return state.discarding;
    },
    receiveFailed: (error, message) => events.push(`failed ${message} ${String(error)}`),
    receivedEof: () => events.push('eof'),
  };
  return { t, state, events };
}

/** A BufferedProtocol with buffers of `size` bytes that records what it was given. */
function buffered(size: number, onUpdate: (got: string) => void = () => undefined) {
  let buffer = new Uint8Array(size);
  const got: string[] = [];
  const protocol: BufferedProtocol = {
    getBuffer: () => (buffer = new Uint8Array(size)),
    bufferUpdated: (n) => {
      const piece = text(buffer.subarray(0, n));
      got.push(piece);
      onUpdate(piece);
    },
  };
  return { protocol, got };
}

describe('ReceiveDispatch', () => {
  it('hands each chunk to dataReceived as it is', () => {
    const { t } = target();
    const got: string[] = [];
    const protocol: Protocol = { dataReceived: (data) => got.push(text(data)) };
    const dispatch = new ReceiveDispatch(t, protocol);
    dispatch.data(bytes('one'));
    dispatch.borrowed(bytes('two'));
    expect(got).toEqual(['one', 'two']);
  });

  it('copies a borrowed view out for dataReceived', () => {
    const { t } = target();
    const kept: Uint8Array[] = [];
    const dispatch = new ReceiveDispatch(t, {
      dataReceived: (data) => kept.push(data),
    });
    const lent = bytes('lent');
    dispatch.borrowed(lent);
    lent.fill(0);
    expect(text(kept[0]!)).toBe('lent');
  });

  it('feeds a BufferedProtocol a chunk in as many buffers as it needs', () => {
    const { t } = target();
    const { protocol, got } = buffered(3);
    new ReceiveDispatch(t, protocol).data(bytes('abcdefgh'));
    expect(got).toEqual(['abc', 'def', 'gh']);
  });

  it('holds the rest of a chunk when the protocol pauses inside bufferUpdated, and EOF after it', () => {
    const { t, state, events } = target();
    const { protocol, got } = buffered(3, () => {
      state.receiving = false;
    });
    const dispatch = new ReceiveDispatch(t, protocol);
    dispatch.borrowed(bytes('abcdefgh'));
    dispatch.data(bytes('ij'));
    dispatch.eof();
    expect(got).toEqual(['abc']);
    expect(events).toEqual([]);
    expect(dispatch.holding).toBe(true);
    // Each resume hands over one more buffer: the protocol pauses again every time.
    state.receiving = true;
    dispatch.resume();
    expect(got).toEqual(['abc', 'def']);
    state.receiving = true;
    dispatch.resume();
    state.receiving = true;
    dispatch.resume();
    expect(got).toEqual(['abc', 'def', 'gh', 'ij']);
    expect(events).toEqual([]);
    state.receiving = true;
    dispatch.resume();
    expect(events).toEqual(['eof']);
    expect(dispatch.holding).toBe(false);
  });

  it('keeps its own copy of a borrowed view it holds', () => {
    const { t, state } = target();
    const { protocol, got } = buffered(2, () => {
      state.receiving = false;
    });
    const dispatch = new ReceiveDispatch(t, protocol);
    const lent = bytes('abcd');
    dispatch.borrowed(lent);
    lent.fill(0);
    state.receiving = true;
    dispatch.resume();
    expect(got).toEqual(['ab', 'cd']);
  });

  it('throws away what arrives and what was held once the target is discarding', () => {
    const { t, state, events } = target();
    const got: string[] = [];
    const dispatch = new ReceiveDispatch(t, { dataReceived: (d) => got.push(text(d)) });
    state.receiving = false;
    dispatch.data(bytes('held'));
    state.discarding = true;
    dispatch.data(bytes('late'));
    dispatch.eof();
    dispatch.resume();
    expect(got).toEqual([]);
    expect(events).toEqual([]);
    expect(dispatch.holding).toBe(false);
  });

  it("sends what a callback throws to the fatal path with asyncio's message", () => {
    const { t, events } = target();
    const failing: Protocol = {
      dataReceived: () => {
        throw new Error('boom');
      },
    };
    new ReceiveDispatch(t, failing).data(bytes('x'));
    const empty: BufferedProtocol = {
      getBuffer: () => new Uint8Array(0),
      bufferUpdated: () => undefined,
    };
    new ReceiveDispatch(t, empty).data(bytes('x'));
    expect(events).toEqual([
      'failed Fatal error: protocol.dataReceived() call failed. Error: boom',
      expect.stringMatching(
        /^failed Fatal error: protocol.getBuffer\(\) call failed\. .*empty buffer/,
      ),
    ]);
  });

  it('follows a protocol change, to and from a BufferedProtocol', () => {
    const { t } = target();
    const plain: string[] = [];
    const { protocol, got } = buffered(2);
    const dispatch = new ReceiveDispatch(t, {
      dataReceived: (d) => plain.push(text(d)),
    });
    dispatch.data(bytes('abc'));
    dispatch.protocolChanged(protocol);
    dispatch.data(bytes('def'));
    expect(plain).toEqual(['abc']);
    expect(got).toEqual(['de', 'f']);
  });

  it('hands the rest of a chunk to a protocol set from inside bufferUpdated', () => {
    const { t } = target();
    const plain: string[] = [];
    const next = { dataReceived: (d: Uint8Array) => plain.push(text(d)) } as Protocol;
    let dispatch: ReceiveDispatch<unknown> | null = null;
    const { protocol, got } = buffered(2, () => {
      dispatch!.protocolChanged(next);
    });
    dispatch = new ReceiveDispatch(t, protocol);
    dispatch.data(bytes('abcdef'));
    expect(got).toEqual(['ab']);
    expect(plain).toEqual(['cdef']);
  });
});
