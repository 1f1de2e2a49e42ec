import type { Address } from './address.js';
import type { StreamHandle } from './handle.js';

/**
 * What a platform adapter provides to drive a {@link Server}: one listening socket.
 * @internal
 */
export interface ListenerHandle {
  /** Starts handing accepted connections to `onConnection`; called once. */
  listen(onConnection: (handle: StreamHandle) => void): void;
  /** The bound address. */
  address(): Address;
  /** Stops listening; accepted connections are not affected. Idempotent. */
  close(): void;
}
