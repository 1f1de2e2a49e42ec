import type { Observable } from 'rxjs';
import type { Address } from './address.js';
import type { CallSoon } from './callSoon.js';
import { TransportClosedError } from './errors.js';
import { reportException } from './exceptionHandler.js';
import type { StreamHandle } from './handle.js';
import { HotQueue } from './HotQueue.js';
import type { ListenerHandle } from './listener.js';
import type { StreamProtocol } from './protocols.js';
import { StreamTransport } from './StreamTransport.js';
import { checkProtocol } from './validate.js';
import type { Server, SocketTransport } from './transports.js';

/** Options of a {@link Server}. @internal */
export interface ServerCoreOptions {
  readonly protocolFactory?: (() => StreamProtocol<SocketTransport>) | undefined;
  readonly callSoon?: CallSoon | undefined;
}

/**
 * The listening server behind {@link Server}, over platform listeners.
 * @internal
 */
export class ListeningServer implements Server {
  private readonly queue = new HotQueue<SocketTransport>({ capacity: Number.POSITIVE_INFINITY });
  private readonly clients = new Set<StreamTransport>();
  private serving = true;
  /** Accepted connections whose `connectionMade` has not run yet: emitted before completion. */
  private announcing = 0;
  private closeWaiters: (() => void)[] = [];

  readonly connections$: Observable<SocketTransport> = this.queue.observable;

  constructor(
    private readonly listeners: readonly ListenerHandle[],
    private readonly options: ServerCoreOptions = {},
  ) {
    for (const listener of listeners)
      listener.listen((handle) => {
        this.accept(handle);
      });
  }

  /** The first bound socket's address. @throws {@link TransportClosedError} once closed. */
  address(): Address {
    const first = this.addresses()[0];
    if (!first) throw new TransportClosedError('The server is closed');
    return first;
  }

  /** Every bound socket's address; empty once closed (asyncio `sockets` is `()` then [V3]). */
  addresses(): Address[] {
    return this.serving ? this.listeners.map((listener) => listener.address()) : [];
  }

  /** Whether the server accepts connections. */
  isServing(): boolean {
    return this.serving;
  }

  /** Stops listening; accepted connections stay open [V3]. Idempotent. */
  close(): void {
    if (!this.serving) return;
    this.serving = false;
    for (const listener of this.listeners) listener.close();
    // Connections accepted before the call are still announced, then emitted.
    if (this.announcing === 0) this.queue.complete();
    this.checkClosed();
  }

  /**
   * Resolves once the server is closed and every connection it accepted has delivered
   * `connectionLost` (asyncio 3.12.1+ [V3]).
   */
  waitClosed(): Promise<void> {
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      this.checkClosed();
    });
  }

  /** Calls `close()` on every accepted connection still open (asyncio 3.13 `close_clients`). */
  closeClients(): void {
    for (const client of [...this.clients]) client.close();
  }

  /** Calls `abort()` on every accepted connection still open (asyncio 3.13 `abort_clients`). */
  abortClients(): void {
    for (const client of [...this.clients]) client.abort();
  }

  private accept(handle: StreamHandle): void {
    if (!this.serving) {
      handle.close();
      return;
    }
    // Counted from here: the protocol factory itself may close the server.
    this.announcing += 1;
    let protocol: StreamProtocol<SocketTransport> | undefined;
    try {
      const factory = this.options.protocolFactory;
      protocol = factory === undefined ? undefined : checkProtocol(factory());
    } catch (exception) {
      reportException({
        message: 'Error on transport creation for incoming connection',
        exception,
      });
      handle.close();
      this.announced();
      return;
    }
    const transport = new StreamTransport(handle, { protocol, callSoon: this.options.callSoon });
    this.clients.add(transport);
    transport.closed$.subscribe(() => {
      this.clients.delete(transport);
      this.checkClosed();
    });
    void transport.ready.then(() => {
      this.queue.push(transport);
      this.announced();
    });
  }

  /** One accepted connection less to wait for; the last one after close() ends connections$. */
  private announced(): void {
    this.announcing -= 1;
    if (!this.serving && this.announcing === 0) this.queue.complete();
  }

  private checkClosed(): void {
    if (this.serving || this.clients.size > 0) return;
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
