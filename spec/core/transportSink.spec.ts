import { Subject } from 'rxjs';
import { TransportClosedError, TransportError, WriteAfterEofError } from '../../src/core/errors';
import { setExceptionHandler } from '../../src/core/exceptionHandler';
import { ConnectionResetError, TransportOSError } from '../../src/core/osErrors';
import { transportSink, type SinkTarget } from '../../src/core/transportSink';
import { bytes } from '../helpers/FakeStreamHandle';

afterEach(() => {
  setExceptionHandler(null);
});

/**
 * A SinkTarget that records every call (and every refusal reported); write, writeEof and close throw what a test sets (not
 * always an Error: user code may throw anything).
 */
function recordingTarget(state: { closing?: boolean; canWriteEof?: boolean } = {}) {
  const calls: unknown[][] = [];
  const throws: { write?: unknown; writeEof?: unknown; close?: unknown } = {};
  const target: SinkTarget = {
    write: (data) => {
      calls.push(['write', Buffer.from(data).toString()]);
      if (throws.write !== undefined) throw throws.write as Error;
    },
    canWriteEof: () => state.canWriteEof ?? true,
    writeEof: () => {
      calls.push(['writeEof']);
      if (throws.writeEof !== undefined) throw throws.writeEof as Error;
    },
    close: () => {
      calls.push(['close']);
      if (throws.close !== undefined) throw throws.close as Error;
    },
    isClosing: () => state.closing ?? false,
    abortWith: (error) => calls.push(['abortWith', error]),
    sinkFailed: (error, message) => calls.push(['fail', error, message]),
  };
  // A refused call has no caller to tell: the sink reports it to the exception handler.
  setExceptionHandler((context) => {
    expect(context.message).toBe('sink call refused by the transport');
    expect(context.transport).toBe(target);
    calls.push(['refused', context.exception]);
  });
  return { target, calls, throws };
}

const INVALID = 'Fatal error: invalid value passed to sink.next()';

describe('transportSink', () => {
  describe('next', () => {
    it('writes each value, in order', () => {
      const { target, calls } = recordingTarget();
      const sink = transportSink(target);
      sink.next(bytes('one'));
      sink.next(bytes('two'));
      expect(calls).toEqual([
        ['write', 'one'],
        ['write', 'two'],
      ]);
    });

    it('takes values from a Subject it is subscribed to', () => {
      const { target, calls } = recordingTarget();
      const source = new Subject<Uint8Array>();
      source.subscribe(transportSink(target));
      source.next(bytes('a'));
      source.complete();
      expect(calls).toEqual([['write', 'a'], ['writeEof']]);
    });

    it('hands a TransportError that write throws to the exception handler, without throwing', () => {
      const { target, calls, throws } = recordingTarget();
      const closed = new TransportClosedError();
      throws.write = closed;
      const sink = transportSink(target);
      expect(() => {
        sink.next(bytes('late'));
      }).not.toThrow();
      expect(calls).toEqual([
        ['write', 'late'],
        ['refused', closed],
      ]);
    });

    it('hands any error to the exception handler while the transport is closing', () => {
      const { target, calls, throws } = recordingTarget({ closing: true });
      const odd = new TypeError('not bytes');
      throws.write = odd;
      const sink = transportSink(target);
      expect(() => {
        sink.next(bytes('x'));
      }).not.toThrow();
      expect(calls).toEqual([
        ['write', 'x'],
        ['refused', odd],
      ]);
    });

    it('takes the fatal path for anything else write throws (invalid data), without throwing', () => {
      const { target, calls, throws } = recordingTarget();
      const invalid = new TypeError('The "data" argument must be an ArrayBufferView');
      throws.write = invalid;
      const sink = transportSink(target);
      expect(() => {
        sink.next(bytes('x'));
      }).not.toThrow();
      expect(calls).toEqual([
        ['write', 'x'],
        ['fail', invalid, INVALID],
      ]);
    });

    it('takes the fatal path for a thrown non-Error too', () => {
      const { target, calls, throws } = recordingTarget();
      throws.write = 'a string';
      const sink = transportSink(target);
      expect(() => {
        sink.next(bytes('x'));
      }).not.toThrow();
      expect(calls).toEqual([
        ['write', 'x'],
        ['fail', 'a string', INVALID],
      ]);
    });
  });

  describe('complete', () => {
    it('sends EOF when the transport can', () => {
      const { target, calls } = recordingTarget({ canWriteEof: true });
      transportSink(target).complete();
      expect(calls).toEqual([['writeEof']]);
    });

    it('closes when the transport cannot send EOF', () => {
      const { target, calls } = recordingTarget({ canWriteEof: false });
      transportSink(target).complete();
      expect(calls).toEqual([['close']]);
    });

    it('hands a TransportError from writeEof to the exception handler, without throwing', () => {
      const { target, calls, throws } = recordingTarget();
      const afterEof = new WriteAfterEofError();
      throws.writeEof = afterEof;
      expect(() => {
        transportSink(target).complete();
      }).not.toThrow();
      expect(calls).toEqual([['writeEof'], ['refused', afterEof]]);
    });

    it('hands what close throws while closing to the exception handler', () => {
      const { target, calls, throws } = recordingTarget({ canWriteEof: false, closing: true });
      const odd = new Error('odd');
      throws.close = odd;
      expect(() => {
        transportSink(target).complete();
      }).not.toThrow();
      expect(calls).toEqual([['close'], ['refused', odd]]);
    });

    it('takes the fatal path for any other error, without throwing', () => {
      const { target, calls, throws } = recordingTarget();
      const odd = new Error('odd');
      throws.writeEof = odd;
      expect(() => {
        transportSink(target).complete();
      }).not.toThrow();
      expect(calls).toEqual([['writeEof'], ['fail', odd, INVALID]]);
    });
  });

  describe('error', () => {
    it('aborts with a TransportError as it is', () => {
      const { target, calls } = recordingTarget();
      const reset = new ConnectionResetError('ECONNRESET', 'reset');
      transportSink(target).error(reset);
      expect(calls).toEqual([['abortWith', reset]]);
    });

    it('aborts with a plain Error as it is', () => {
      const { target, calls } = recordingTarget();
      const boom = new Error('boom');
      transportSink(target).error(boom);
      expect(calls).toEqual([['abortWith', boom]]);
    });

    it('aborts with a platform errno error converted to a TransportOSError subclass', () => {
      const { target, calls } = recordingTarget();
      const platform = Object.assign(new Error('read ECONNRESET'), {
        code: 'ECONNRESET',
        errno: -104,
        syscall: 'read',
      });
      transportSink(target).error(platform);
      expect(calls).toHaveLength(1);
      const [kind, error] = calls[0]!;
      expect(kind).toBe('abortWith');
      expect(error).toBeInstanceOf(ConnectionResetError);
      expect(error).toMatchObject({ code: 'ECONNRESET', errno: -104, syscall: 'read' });
      expect((error as TransportOSError).cause).toBe(platform);
    });

    it('aborts with a TransportError wrapping a value that is not an Error', () => {
      const { target, calls } = recordingTarget();
      transportSink(target).error('nope');
      const [kind, error] = calls[0]!;
      expect(kind).toBe('abortWith');
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'ERR_UNKNOWN' });
      expect((error as Error).cause).toBe('nope');
    });
  });
});
