import type { Address } from '../../src/core/address';
import type { StreamHandle } from '../../src/core/handle';
import type { ListenerHandle } from '../../src/core/listener';
import { FakeStreamHandle } from './FakeStreamHandle';

/**
 * A scriptable ListenerHandle: the test hands it connections (FakeStreamHandles) with
 * `connect()`, as if a peer had connected, and checks whether it was closed.
 */
export class FakeListenerHandle implements ListenerHandle {
  listens = 0;
  closes = 0;
  private onConnection: ((handle: StreamHandle) => void) | null = null;

  constructor(
    private readonly bound: Address = { host: '127.0.0.1', port: 8888, family: 'IPv4' },
  ) {}

  listen(onConnection: (handle: StreamHandle) => void): void {
    this.listens += 1;
    this.onConnection = onConnection;
  }

  address(): Address {
    return this.bound;
  }

  close(): void {
    this.closes += 1;
  }

  /** A peer connects: the server gets a new handle, which is returned. */
  connect(handle = new FakeStreamHandle()): FakeStreamHandle {
    if (!this.onConnection) throw new Error('not listening');
    this.onConnection(handle);
    return handle;
  }
}
