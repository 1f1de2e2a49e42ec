import { ReplaySubject, type Observable, type Observer } from 'rxjs';
import { invalidArgType } from './argErrors.js';
import { checkProtocol, extraInfoValue } from './validate.js';
import { viewBytes, type BytesLike } from './bytes.js';
import { defaultCallSoon, defaultFlushSoon, type CallSoon } from './callSoon.js';
import { LossSchedule, reportFatal } from './teardown.js';
import { TransportClosedError, UnsupportedError, WriteAfterEofError } from './errors.js';
import { callReporting, reportException } from './exceptionHandler.js';
import { deliverConnectionLost } from './deliverConnectionLost.js';
import { DEFAULT_HIGH_WATER, FlowControl } from './FlowControl.js';
import type { StreamHandle } from './handle.js';
import { osError } from './osErrors.js';
import type { StreamProtocol } from './protocols.js';
import { RxStreamProtocol } from './RxStreamProtocol.js';
import { ReceiveDispatch } from './ReceiveDispatch.js';
import { transportSink } from './transportSink.js';
import { WriteBuffer } from './WriteBuffer.js';
import type { SocketTransport } from './transports.js';
import type { Address } from './address.js';

/** Options of a {@link StreamTransport}. @internal */
export interface StreamTransportOptions {
  /** The user's protocol; without one the transport feeds its Rx surfaces. */
  readonly protocol?: StreamProtocol<SocketTransport> | undefined;
  /** How callbacks are deferred (virtual time in marble tests). */
  readonly callSoon?: CallSoon | undefined;
  /** When small writes gathered in one turn go out (a microtask; virtual time in marble tests). */
  readonly flushSoon?: CallSoon | undefined;
  /** Bytes `data$` holds for a late subscriber before reading pauses. */
  readonly dataBufferCapacity?: number | undefined;
  /**
   * Pipe semantics (asyncio's unix pipe transports): a read pipe closes on EOF whatever
   * `eofReceived` returns [P2]; on a write pipe `writeEof()` is `close()` [P8].
   */
  readonly pipe?: 'read' | 'write' | undefined;
}

/**
 * The stream transport state machine, over any {@link StreamHandle}: asyncio's
 * `_SelectorSocketTransport` semantics, once, for TCP, Unix sockets, pipes and test handles.
 *
 * Lifecycle: `connectionMade` is delivered on a later turn [S1]; reading starts after it.
 * `close()` stops reading, flushes, then delivers `connectionLost(null)`; `abort()` and fatal
 * errors drop the buffer. `connectionLost` comes exactly once, always from a later turn [S2, S3].
 * @internal
 */
export class StreamTransport implements SocketTransport {
  private protocol: StreamProtocol<SocketTransport>;
  private readonly receive: ReceiveDispatch<SocketTransport>;
  private readonly rx: RxStreamProtocol;
  private readonly flow: FlowControl;
  private readonly lost$ = new ReplaySubject<Error | null>(1);
  private readonly callSoon: CallSoon;
  private readonly pipe: 'read' | 'write' | undefined;

  private made = false;
  private closing = false;
  private readonly loss: LossSchedule;
  private eofSent = false;
  private shutdownSent = false;
  private eofReceived = false;
  private userPaused = false;
  private holds = 0;
  private handleReading = false;

  private readonly buffer: WriteBuffer;

  /** Resolves once `connectionMade` has run (the factories resolve after it [S1]). @internal */
  readonly ready: Promise<void>;
  readonly closed$: Observable<Error | null> = this.lost$.asObservable();
  readonly writable$: Observable<boolean>;
  readonly sink: Observer<Uint8Array>;

  constructor(
    private readonly handle: StreamHandle,
    options: StreamTransportOptions = {},
  ) {
    this.callSoon = options.callSoon ?? defaultCallSoon;
    this.pipe = options.pipe;
    this.loss = new LossSchedule(this.callSoon, (exc) => {
      this.callConnectionLost(exc);
    });
    this.rx = new RxStreamProtocol(
      { holdReading: () => this.holdReading(), eofWasSent: () => this.eofSent },
      options.dataBufferCapacity ?? DEFAULT_HIGH_WATER,
    );
    this.protocol = this.rx;
    this.receive = new ReceiveDispatch({
      protocol: () => this.protocol,
      open: () => !this.closing && !this.eofReceived,
      fail: (error, message) => {
        this.fatalError(error, message);
      },
    });
    if (options.protocol) this.setProtocol(options.protocol);
    this.flow = new FlowControl(
      {
        pauseWriting: () => this.protocol.pauseWriting?.(),
        resumeWriting: () => this.protocol.resumeWriting?.(),
        size: () => this.getWriteBufferSize(),
      },
      (message, exception) => {
        reportException({ message, exception, transport: this, protocol: this.protocol });
      },
    );
    this.writable$ = this.flow.writable$;
    const flushSoon = options.flushSoon ?? defaultFlushSoon;
    this.buffer = new WriteBuffer(handle, {
      flushSoon,
      highWater: () => this.flow.high,
      shrank: () => {
        this.afterShrink();
      },
    });
    this.sink = transportSink({
      write: (data) => {
        this.write(data);
      },
      canWriteEof: () => this.canWriteEof(),
      writeEof: () => {
        this.writeEof();
      },
      close: () => {
        this.close();
      },
      isClosing: () => this.closing,
      abortWith: (error) => {
        this.forceClose(error);
      },
      fail: (error, message) => {
        this.fatalError(error, message);
      },
      refused: (exception) => {
        reportException({
          message: 'sink call refused by the transport',
          exception,
          transport: this,
        });
      },
    });
    handle.bind({
      onData: (chunk) => {
        this.receive.data(chunk);
      },
      onEof: () => {
        this.onEof();
      },
      onError: (error) => {
        this.fatalError(error, 'Fatal read/write error on transport');
      },
      onBorrowedData: (view) => {
        this.receive.borrowed(view);
      },
    });
    this.ready = new Promise<void>((resolve) => {
      this.callSoon(() => {
        this.made = true;
        callReporting(
          'Exception in protocol.connectionMade()',
          () => this.protocol.connectionMade?.(this),
          {
            transport: this,
            protocol: this.protocol,
          },
        );
        this.updateReading();
        resolve();
      });
    });
  }

  // ---- Rx surfaces -------------------------------------------------------------------------

  get data$(): Observable<Uint8Array> {
    return this.rx.data$;
  }

  drain(): Promise<void> {
    return this.flow.drain(this.getWriteBufferSize());
  }

  flushed(): Promise<void> {
    return this.flow.flushed(this.getWriteBufferSize());
  }

  // ---- base --------------------------------------------------------------------------------

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.updateReading();
    this.flushGathered();
    if (this.getWriteBufferSize() === 0) this.scheduleConnectionLost(null);
  }

  isClosing(): boolean {
    return this.closing;
  }

  getExtraInfo(name: 'peername' | 'sockname'): Address | undefined;
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return extraInfoValue(this.handle.extraInfo, name, defaultValue);
  }

  setProtocol(protocol: StreamProtocol<SocketTransport>): void {
    checkProtocol(protocol, 'protocol');
    this.protocol = protocol;
    this.receive.protocolChanged(protocol);
    if (protocol !== this.rx) this.rx.detach();
  }

  getProtocol(): StreamProtocol<SocketTransport> {
    return this.protocol;
  }

  // ---- read --------------------------------------------------------------------------------

  isReading(): boolean {
    return !this.closing && !this.userPaused;
  }

  pauseReading(): void {
    if (this.closing || this.userPaused) return;
    this.userPaused = true;
    this.updateReading();
  }

  resumeReading(): void {
    if (this.closing || !this.userPaused) return;
    this.userPaused = false;
    this.updateReading();
  }

  /** Stops reading until the returned function is called (the `data$` buffer). @internal */
  holdReading(): () => void {
    this.holds += 1;
    this.updateReading();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.updateReading();
    };
  }

  // ---- write -------------------------------------------------------------------------------

  write(data: BytesLike): void {
    const view = viewBytes(data);
    if (this.eofSent) throw new WriteAfterEofError();
    if (view.byteLength === 0) return;
    if (this.closing)
      throw new TransportClosedError('Cannot write to a closing or closed transport');
    this.buffer.write(view);
    this.flow.afterGrow(this.getWriteBufferSize());
  }

  writelines(list: Iterable<BytesLike>): void {
    if (
      list == null ||
      typeof (list as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function'
    ) {
      throw invalidArgType('list', 'an iterable of ArrayBufferView or ArrayBuffer', list);
    }
    const views = Array.from(list, (item, index) => viewBytes(item, `list[${index}]`));
    if (this.eofSent) throw new WriteAfterEofError();
    for (const view of views) this.write(view);
  }

  canWriteEof(): boolean {
    return this.handle.canShutdown;
  }

  writeEof(): void {
    if (this.closing || this.eofSent) return;
    if (!this.handle.canShutdown) throw new UnsupportedError('This transport cannot send EOF');
    this.eofSent = true;
    if (this.pipe === 'write') {
      // A pipe has no half-close: EOF is the reader seeing the write end closed.
      this.close();
      return;
    }
    this.flushGathered();
    if (this.getWriteBufferSize() === 0) this.sendShutdown();
    // The Rx protocol keeps a half-open connection only until both sides have sent EOF.
    if (this.eofReceived && this.protocol === this.rx) this.close();
  }

  abort(): void {
    this.forceClose(null);
  }

  getWriteBufferSize(): number {
    return this.buffer.size;
  }

  getWriteBufferLimits(): [number, number] {
    return [this.flow.low, this.flow.high];
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.flow.setLimits(this.getWriteBufferSize(), high, low);
  }

  /**
   * The reader at the other end of a write pipe went away (asyncio watches for this [P7]):
   * `connectionLost(null)` if nothing was waiting to be written, else the buffer is dropped and
   * the loss is a `BrokenPipeError`.
   * @internal
   */
  readerGone(): void {
    if (this.loss.scheduled) return;
    if (this.getWriteBufferSize() === 0) {
      this.closing = true;
      this.updateReading();
      this.scheduleConnectionLost(null);
    } else {
      this.forceClose(
        osError('EPIPE', 'The reader of the pipe went away before the buffer was written', {
          syscall: 'write',
        }),
      );
    }
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Hands over the small writes gathered this turn now (before EOF or close). */
  private flushGathered(): void {
    // flushed() and drain() settle now (a close may end the transport before the turn does).
    if (this.buffer.flushNow()) this.flow.settle(this.getWriteBufferSize());
  }

  /** The write buffer shrank: resume the writer, then finish a pending EOF or close. */
  private afterShrink(): void {
    if (this.loss.scheduled) return;
    this.flow.afterShrink(this.getWriteBufferSize());
    // resumeWriting may have written (and closed) already: read the size again.
    if (this.getWriteBufferSize() > 0 || this.loss.scheduled) return;
    if (this.eofSent) this.sendShutdown();
    if (this.closing) this.scheduleConnectionLost(null);
  }

  private sendShutdown(): void {
    if (this.shutdownSent) return;
    this.shutdownSent = true;
    this.handle.shutdown();
  }

  private updateReading(): void {
    const want =
      this.made && !this.closing && !this.eofReceived && !this.userPaused && this.holds === 0;
    if (want === this.handleReading) return;
    this.handleReading = want;
    if (want) this.handle.readStart();
    else this.handle.readStop();
  }

  private onEof(): void {
    if (this.closing || this.eofReceived) return;
    this.eofReceived = true;
    this.updateReading();
    let keepOpen: boolean | void;
    try {
      keepOpen = this.protocol.eofReceived?.();
    } catch (error) {
      this.fatalError(error, 'Fatal error: protocol.eofReceived() call failed.');
      return;
    }
    if (keepOpen !== true || this.pipe === 'read') this.close();
  }

  /** asyncio `_fatal_error`: report what is not an OS error [E1], then force-close. */
  private fatalError(error: unknown, message: string): void {
    this.forceClose(reportFatal(error, message, { transport: this, protocol: this.protocol }));
  }

  /** asyncio `_force_close`: drop the buffer, stop everything, report the loss later. */
  private forceClose(exc: Error | null): void {
    if (this.loss.scheduled) return;
    this.closing = true;
    this.buffer.clear();
    this.updateReading();
    this.handle.close();
    this.scheduleConnectionLost(exc);
  }

  private scheduleConnectionLost(exc: Error | null): void {
    this.closing = true;
    this.loss.schedule(exc);
  }

  private callConnectionLost(exc: Error | null): void {
    // A clean close may finish in the background; anything else was already dropped.
    if (exc === null && this.handle.closeGracefully) this.handle.closeGracefully();
    else this.handle.close();
    deliverConnectionLost(exc, {
      transport: this,
      protocol: this.protocol,
      rx: this.rx,
      flow: this.flow,
      lost$: this.lost$,
    });
  }
}
