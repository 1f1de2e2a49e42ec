import type { Observable, Observer, Subject } from 'rxjs';
import { viewBytes, viewList, type BytesLike } from './bytes.js';
import { defaultFlushSoon } from './callSoon.js';
import { TransportClosedError, UnsupportedError, WriteAfterEofError } from './errors.js';
import { DEFAULT_HIGH_WATER } from './FlowControl.js';
import type { HandOver, StreamHandle } from './handle.js';
import { osError } from './osErrors.js';
import type { StreamProtocol } from './protocols.js';
import { ReceiveDispatch, type ReceiveTarget } from './ReceiveDispatch.js';
import { RxStreamProtocol, type RxStreamHost } from './RxStreamProtocol.js';
import { TransportBase } from './TransportBase.js';
import { TransportSubject } from './transportSubject.js';
import { transportSink, type SinkTarget } from './transportSink.js';
import { WriteBuffer, type WriteBufferOwner } from './WriteBuffer.js';
import type { SocketTransport } from './transports.js';
import type { StreamTransportOptions } from './streamTransportOptions.js';

export type { StreamTransportOptions };

/**
 * The stream transport, over any {@link StreamHandle}: asyncio's `_SelectorSocketTransport`
 * I/O on the shared lifecycle ({@link TransportBase}), for TCP, Unix sockets, pipes and test
 * handles. Reading starts after `connectionMade`; EOF from the peer closes unless the protocol
 * keeps the connection half-open; `writeEof()` half-closes once the buffer is empty.
 * @internal
 */
export class StreamTransport
  extends TransportBase<
    SocketTransport,
    StreamProtocol<SocketTransport>,
    RxStreamProtocol,
    StreamHandle
  >
  implements SocketTransport, RxStreamHost, ReceiveTarget, SinkTarget, WriteBufferOwner
{
  protected readonly rx: RxStreamProtocol;
  private readonly receive: ReceiveDispatch<SocketTransport>;
  private readonly buffer: WriteBuffer;
  private readonly pipe: 'read' | 'write' | undefined;
  private readonly closeOnEof: boolean;
  /** Half-close and pause flags, apart from the lifecycle state. */
  private eofSent = false;
  private shutdownSent = false;
  private eofSeen = false;
  private userPaused = false;

  readonly sink: Observer<Uint8Array>;

  constructor(handle: StreamHandle, options: StreamTransportOptions = {}) {
    super(handle, options.callSoon, options.resumed);
    this.pipe = options.pipe;
    this.closeOnEof = options.pipe === 'read' || options.closeOnEof === true;
    this.rx = new RxStreamProtocol(this, options.dataBufferCapacity ?? DEFAULT_HIGH_WATER);
    this.receive = new ReceiveDispatch<SocketTransport>(this, this.rx);
    this.useProtocol(options.protocol);
    this.buffer = new WriteBuffer(handle, options.flushSoon ?? defaultFlushSoon, this);
    this.sink = transportSink(this);
    const events = this.receive.handleEvents((error) => {
      this.fatalError(error, 'Fatal read/write error on transport');
    });
    handle.bind({
      ...events,
      onWriteProgress: () => {
        this.writeBufferShrank();
      },
    });
  }

  // ---- Rx surfaces -------------------------------------------------------------------------

  get data$(): Observable<Uint8Array> {
    return this.rx.data$;
  }

  flushed(): Promise<void> {
    return this.flow.flushed();
  }

  /** `sink` and `data$` as one Subject, for code written against rxjs `webSocket()`. */
  asSubject(): Subject<Uint8Array> {
    return new TransportSubject(this.sink, this.data$);
  }

  // ---- read --------------------------------------------------------------------------------

  isReading(): boolean {
    return !this.isClosing() && !this.userPaused;
  }

  pauseReading(): void {
    if (this.isClosing() || this.userPaused) return;
    this.userPaused = true;
    // Nothing more reaches the protocol or data$ until resumeReading(), held chunks included.
    this.rx.pauseDelivery();
    this.updateReading();
  }

  resumeReading(): void {
    if (this.isClosing() || !this.userPaused) return;
    this.userPaused = false;
    // What waited goes first, in order; a callback may pause again on the way.
    this.rx.resumeDelivery();
    if (this.userPaused) return;
    this.receive.resume();
    this.updateReading();
  }

  // ---- write -------------------------------------------------------------------------------

  write(data: BytesLike): void {
    const view = viewBytes(data);
    if (this.eofSent) throw new WriteAfterEofError();
    if (view.byteLength > 0) this.enqueue(view, false);
  }

  writelines(list: Iterable<BytesLike>): void {
    const views = viewList(list);
    if (this.eofSent) throw new WriteAfterEofError();
    for (const view of views) this.write(view);
  }

  canWriteEof(): boolean {
    return this.handle.canShutdown;
  }

  writeEof(): void {
    if (this.isClosing() || this.eofSent) return;
    if (!this.handle.canShutdown) throw new UnsupportedError('This transport cannot send EOF');
    this.eofSent = true;
    if (this.pipe === 'write') {
      // A pipe has no half-close: EOF is the reader seeing the write end closed.
      this.close();
      return;
    }
    this.handOverGathered();
    if (this.getWriteBufferSize() === 0) this.sendShutdown();
    // The Rx protocol keeps a half-open connection only until both sides have sent EOF.
    if (this.eofSeen && this.protocol === this.rx) this.close();
  }

  getWriteBufferSize(): number {
    return this.buffer.size;
  }

  /**
   * The reader at the other end of a write pipe went away (asyncio watches for this [P7]):
   * `connectionLost(null)` if nothing was waiting to be written, else the buffer is dropped and
   * the loss is a `BrokenPipeError`.
   * @internal
   */
  readerGone(): void {
    if (this.isLost()) return;
    if (this.getWriteBufferSize() === 0) {
      this.scheduleLoss(null);
    } else {
      this.forceClose(
        osError('EPIPE', 'The reader of the pipe went away before the buffer was written', {
          syscall: 'write',
        }),
      );
    }
  }

  // ---- what collaborators call (@internal) -------------------------------------------------

  /** @internal */
  get receiving(): boolean {
    return this.state === 'open' && !this.eofSeen && !this.userPaused;
  }

  /** @internal */
  get discarding(): boolean {
    // Bytes arriving while handing over are held for the new owner.
    return (this.isClosing() && this.state !== 'handingOver') || this.eofSeen;
  }

  /** @internal */
  receiveFailed(error: unknown, message: string): void {
    this.fatalError(error, message);
  }

  /** EOF from the peer, in its turn after the bytes before it. @internal */
  receivedEof(): void {
    if (this.discarding) return;
    this.eofSeen = true;
    this.updateReading();
    let keepOpen: unknown;
    try {
      keepOpen = this.protocol.eofReceived?.();
    } catch (error) {
      this.fatalError(error, 'Fatal error: protocol.eofReceived() call failed.');
      return;
    }
    // asyncio keeps the connection half-open for any true value, not only `True` [R5]; a
    // stream without half-close (TLS [T13]) closes whatever the protocol returns.
    if (!keepOpen || this.closeOnEof || !this.handle.canShutdown) this.close();
  }

  /** @internal */
  eofWasSent(): boolean {
    return this.eofSent;
  }

  /** The high-water mark, for the write buffer. @internal */
  get writeHighWater(): number {
    return this.flow.high;
  }

  /** `sink.error`: ends the transport with the error. @internal */
  abortWith(error: Error): void {
    this.forceClose(error);
  }

  /** Invalid data given to the sink: the fatal path. @internal */
  sinkFailed(error: unknown, message: string): void {
    this.fatalError(error, message);
  }

  /**
   * STARTTLS [T26]: stops reading and refuses writes at once, flushes, ends without closing
   * the handle or `connectionLost`, and gives the new owner the handle, the bytes received but
   * not delivered and the user's protocol. `check` may refuse the handle by throwing. @internal
   */
  async handOver(check: (handle: StreamHandle) => void): Promise<HandOver> {
    check(this.handle);
    if (this.state !== 'open') throw new TransportClosedError('The transport is not open');
    this.beginHandOver();
    this.handOverGathered();
    await this.flow.flushed();
    if (this.isLost()) throw new TransportClosedError('Lost while handing over');
    const protocol = this.protocol === this.rx ? undefined : this.protocol;
    const held = this.receive.take();
    this.finishHandOver();
    return { handle: this.handle, held, protocol };
  }

  // ---- lifecycle hooks ---------------------------------------------------------------------

  protected writesPending(): boolean {
    return this.buffer.size > 0;
  }

  protected dropWrites(): void {
    this.buffer.clear();
    this.receive.drop();
  }

  protected readingWanted(): boolean {
    return !this.eofSeen && !this.userPaused;
  }

  protected override opened(): void {
    // A handle may report bytes or EOF before reading starts (a pipe that ended at once).
    this.receive.resume();
  }

  protected override beforeClose(): void {
    this.receive.drop();
    this.handOverGathered();
  }

  protected override writesDone(): void {
    if (this.eofSent) this.sendShutdown();
  }

  protected override protocolChanged(protocol: StreamProtocol<SocketTransport>): void {
    this.receive.protocolChanged(protocol);
  }

  protected override releaseHandle(exc: Error | null): void {
    // A clean close may finish in the background; anything else was already dropped.
    if (exc === null && this.handle.closeGracefully) this.handle.closeGracefully();
    else this.handle.close();
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Buffers a write; `owned`: bytes the subclass built itself, which the handle sees as is. */
  protected enqueue(bytes: Uint8Array, owned: boolean): void {
    if (this.eofSent) throw new WriteAfterEofError();
    if (this.isClosing())
      throw new TransportClosedError('Cannot write to a closing or closed transport');
    if (owned) this.buffer.writeOwned(bytes);
    else this.buffer.write(bytes);
    this.flow.afterGrow();
  }

  /** Hands over the small writes gathered this turn now (before EOF or close). */
  private handOverGathered(): void {
    // flushed() and drain() settle now (a close may end the transport before the turn does).
    if (this.buffer.flushNow()) this.flow.settle();
  }

  private sendShutdown(): void {
    if (this.shutdownSent) return;
    this.shutdownSent = true;
    this.handle.shutdown();
  }
}
