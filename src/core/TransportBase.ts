import { ReplaySubject, type Observable } from 'rxjs';
import type { Address } from './address.js';
import { announceConnection } from './announceConnection.js';
import { defaultCallSoon, type CallSoon } from './callSoon.js';
import { TransportClosedError } from './errors.js';
import { callReporting } from './exceptionHandler.js';
import { FlowControl, type FlowControlHost } from './FlowControl.js';
import type { BaseProtocol } from './protocols.js';
import { reportFatal } from './reportFatal.js';
import { checkProtocol, extraInfoValue } from './validate.js';
import type {
  BuiltInProtocol,
  LifecycleHandle,
  ReadingHolder,
  TransportState,
} from './lifecycle.js';

export type { BuiltInProtocol, LifecycleHandle, ReadingHolder, TransportState };

/**
 * The lifecycle every transport over a handle shares (asyncio's `_SelectorTransport`, uvloop's
 * `UVBaseTransport`): the protocol and the built-in Rx protocol, write flow control, `closed$`,
 * `ready`, the `connectionMade` turn, `close()`, `abort()`, the fatal path, the forced close
 * and the loss, scheduled once and delivered once on a later turn. Subclasses add their I/O
 * and answer four questions: what is buffered, whether writes are pending, whether they want
 * to read, and how to drop what is buffered.
 * @internal
 */
export abstract class TransportBase<
  T,
  P extends BaseProtocol<T>,
  R extends P & BuiltInProtocol,
  H extends LifecycleHandle,
>
  implements ReadingHolder, FlowControlHost
{
  /** The protocol of the moment; subclasses start it with {@link useProtocol}. */
  protected protocol!: P;
  /** The built-in protocol, created by the subclass. */
  protected abstract readonly rx: R;
  protected readonly flow: FlowControl;
  protected readonly callSoon: CallSoon;
  private current: TransportState = 'connecting';
  private holds = 0;
  private handleReading = false;
  private finishing = false;
  private readonly lost$ = new ReplaySubject<Error | null>(1);

  /** Resolves once `connectionMade` has run (the factories resolve after it [S1]). @internal */
  readonly ready: Promise<void>;
  readonly closed$: Observable<Error | null> = this.lost$.asObservable();
  readonly writable$: Observable<boolean>;

  constructor(
    protected readonly handle: H,
    callSoon: CallSoon | undefined,
    /** No `connectionMade`: the protocol already had it (STARTTLS [T26]). */
    resumed = false,
  ) {
    this.callSoon = callSoon ?? defaultCallSoon;
    this.flow = new FlowControl(this);
    this.writable$ = this.flow.writable$;
    this.ready = announceConnection(
      this.callSoon,
      this as unknown as T,
      () => (resumed ? this.rx : this.protocol),
      () => {
        if (this.current === 'connecting') {
          this.enter('open');
          this.opened();
        }
        this.updateReading();
      },
    );
  }

  // ---- what subclasses answer --------------------------------------------------------------

  abstract getWriteBufferSize(): number;
  /** Whether writes still wait to go out (a clean close waits for them). */
  protected abstract writesPending(): boolean;
  /** Drops every buffered write (abort, fatal error). */
  protected abstract dropWrites(): void;
  /** Whether the subclass wants to read now (no EOF yet, not paused by the protocol). */
  protected abstract readingWanted(): boolean;
  /** Runs once `connectionMade` ran with the transport still open: deliver what waited. */
  protected opened(): void {}
  /** Runs in `close()` before the buffer is checked: hand over what waits for the turn's end. */
  protected beforeClose(): void {}
  /** Runs when the buffer emptied with the transport still alive. */
  protected writesDone(): void {}
  /** The protocol changed (after the check, before the Rx protocol hears of it). */
  protected protocolChanged(_protocol: P): void {}
  /** Releases the handle when the loss is delivered. */
  protected releaseHandle(_exc: Error | null): void {
    this.handle.close();
  }

  // ---- state ---------------------------------------------------------------------------------

  /** Where the transport is in its life. @internal */
  get state(): TransportState {
    return this.current;
  }

  /** The one place the state changes. */
  private enter(next: TransportState): void {
    this.current = next;
  }

  /** Whether the loss is scheduled or delivered: nothing may change any more. */
  protected isLost(): boolean {
    return this.current === 'lost' || this.current === 'closed';
  }

  // ---- base ------------------------------------------------------------------------------------
  /** Sets the first protocol: the caller's, or the built-in one. */
  protected useProtocol(given: P | undefined): void {
    this.protocol = this.rx;
    if (given !== undefined) this.setProtocol(given);
  }

  close(): void {
    if (this.isClosing()) return;
    this.enter('closing');
    this.updateReading();
    this.beforeClose();
    if (!this.writesPending()) this.closeCleanly();
  }

  isClosing(): boolean {
    return this.current !== 'open' && this.current !== 'connecting';
  }

  abort(): void {
    this.forceClose(null);
  }

  getExtraInfo(name: 'peername' | 'sockname'): Address | undefined;
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return extraInfoValue(this.handle.extraInfo, name, defaultValue);
  }

  setProtocol(protocol: P): void {
    checkProtocol(protocol, 'protocol');
    const previous = this.protocol;
    const rx: P = this.rx;
    this.protocol = protocol;
    this.protocolChanged(protocol);
    if (protocol !== rx) this.rx.detach();
    else if (previous !== rx) this.rx.attach();
  }

  getProtocol(): P {
    return this.protocol;
  }

  // ---- flow control ------------------------------------------------------------------------

  drain(): Promise<void> {
    return this.flow.drain();
  }

  getWriteBufferLimits(): [number, number] {
    return [this.flow.low, this.flow.high];
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.flow.setLimits(high, low);
  }

  /**
   * Bytes left the buffer outside `write()`: resume the writer, then finish a pending EOF or
   * close. Its write buffer calls it. @internal
   */
  writeBufferShrank(): void {
    if (this.isLost()) return;
    this.flow.afterShrink();
    // resumeWriting may have written (and closed) already: ask again.
    if (this.writesPending() || this.isLost()) return;
    this.writesDone();
    if (this.current === 'closing') this.closeCleanly();
  }

  // ---- reading -----------------------------------------------------------------------------

  /** Stops reading until the returned function is called (the Rx buffer is full). @internal */
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

  /** Starts or stops the handle's reading to match the state, holds and the subclass. */
  protected updateReading(): void {
    const want = this.current === 'open' && this.holds === 0 && this.readingWanted();
    if (want === this.handleReading) return;
    this.handleReading = want;
    if (want) this.handle.readStart();
    else this.handle.readStop();
  }

  // ---- endings -------------------------------------------------------------------------------

  /** asyncio `_fatal_error`: report what is not an OS error [E1], then force-close. */
  protected fatalError(error: unknown, message: string): void {
    this.forceClose(reportFatal(error, message, { transport: this, protocol: this.protocol }));
  }

  /** asyncio `_force_close`: drop the buffer, stop everything, report the loss later. */
  protected forceClose(exc: Error | null): void {
    if (this.isLost()) return;
    this.dropWrites();
    // What was buffered will never go out: drain() and flushed() must not say it did.
    this.flow.drop(
      exc ?? new TransportClosedError('The transport was aborted: its buffer was dropped'),
    );
    this.scheduleLoss(exc);
    this.handle.close();
  }

  /** Everything written went out after `close()`: the handle may finish the close first. */
  private closeCleanly(): void {
    const handle = this.handle;
    if (handle.finishClose === undefined) {
      this.scheduleLoss(null);
      return;
    }
    if (this.finishing) return;
    this.finishing = true;
    handle.finishClose((exc) => {
      if (exc === null) this.scheduleLoss(null);
      else this.forceClose(exc);
    });
  }

  /** Enters `handingOver`: no reading, writes refused, the buffer still flushes. @internal */
  protected beginHandOver(): void {
    this.enter('handingOver');
    this.updateReading();
  }

  /** The handle went to a new owner: no release, no `connectionLost`; `closed$` ends. */
  protected finishHandOver(): void {
    if (this.current !== 'handingOver') return;
    this.enter('closed');
    this.rx.connectionLost(null);
    this.flow.finish(null);
    this.lost$.next(null);
    this.lost$.complete();
  }

  /** The loss, scheduled once; `connectionLost` comes on a later turn [S2, S3]. */
  protected scheduleLoss(exc: Error | null): void {
    if (this.isLost()) return;
    this.enter('lost');
    this.updateReading();
    this.callSoon(() => {
      this.deliverLoss(exc);
    });
  }

  /**
   * asyncio `_call_connection_lost`: the handle is released, `connectionLost` runs (what it
   * throws is reported [E4]), then the Rx surfaces end, pending drains settle and `closed$`
   * emits once and completes.
   */
  private deliverLoss(exc: Error | null): void {
    this.enter('closed');
    this.releaseHandle(exc);
    const protocol = this.protocol;
    callReporting('Exception in protocol.connectionLost()', () => protocol.connectionLost?.(exc), {
      transport: this,
      protocol,
    });
    const rx: P = this.rx;
    if (protocol !== rx) this.rx.connectionLost(exc);
    this.flow.finish(exc);
    this.lost$.next(exc);
    this.lost$.complete();
  }
}
