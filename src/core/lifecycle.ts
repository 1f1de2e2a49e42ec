/** The types the shared transport lifecycle (`TransportBase`) works with. */

/**
 * Where a transport is in its life, one value for all of it:
 * - `connecting`: created, `connectionMade` not delivered yet [S1];
 * - `open`: `connectionMade` ran, reading may start;
 * - `closing`: `close()` was called, the write buffer is still flushing;
 * - `handingOver`: STARTTLS takes the handle once the write buffer is flushed (writes refused);
 * - `lost`: the loss is scheduled (flushed, aborted or failed): the transport is past saving;
 * - `closed`: `connectionLost` was delivered [S2, S3], or the handle was handed over.
 * @internal
 */
export type TransportState = 'connecting' | 'open' | 'closing' | 'handingOver' | 'lost' | 'closed';

/** A transport whose reading can be held by its built-in protocol's bounded buffer. @internal */
export interface ReadingHolder {
  /** Stops reading until the returned function is called. */
  holdReading(): () => void;
}

/** The built-in protocol that feeds a transport's Rx surfaces (`data$`, `datagrams$`). @internal */
export interface BuiltInProtocol {
  /** It is the transport's protocol again: it may hold reading when its buffer is full. */
  attach(): void;
  /** Another protocol took over: reading must no longer wait for its buffer. */
  detach(): void;
  /** The connection is lost: its surfaces end, even when another protocol took over. */
  connectionLost(exc: Error | null): void;
}

/** What the lifecycle needs of the platform handle under a transport. @internal */
export interface LifecycleHandle {
  readStart(): void;
  readStop(): void;
  /** Releases the handle at once, dropping unsent data. Idempotent. */
  close(): void;
  /**
   * Finishes a clean close before the loss is delivered (TLS: close_notify both ways), then
   * calls `done` once: with `null`, or with the error to lose the connection with. Handles
   * without it are done at once.
   */
  finishClose?(done: (exc: Error | null) => void): void;
  readonly extraInfo: Readonly<Record<string, unknown>>;
}
