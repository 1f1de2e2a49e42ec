import type { Observer } from 'rxjs';
import { TransportError } from './errors.js';
import { reportException } from './exceptionHandler.js';
import { toTransportError } from './osErrors.js';

/** What a transport's `sink` drives. @internal */
export interface SinkTarget {
  write(data: Uint8Array): void;
  canWriteEof(): boolean;
  writeEof(): void;
  close(): void;
  isClosing(): boolean;
  /** Ends the transport with `error` (`sink.error`): it reaches `closed$` and `data$`. */
  abortWith(error: Error): void;
  /** Invalid data: the transport's fatal-error path. */
  sinkFailed(error: unknown, message: string): void;
}

/**
 * The `sink` of a write transport: `next` writes, `complete` sends EOF (else closes), `error`
 * aborts with the error. It never throws: RxJS would turn that into an uncaught error.
 * @internal
 */
export function transportSink(target: SinkTarget): Observer<Uint8Array> {
  const refusedOrFailed = (error: unknown): void => {
    if (error instanceof TransportError || target.isClosing()) {
      // Refused while closing or half-closed: there is no caller to tell but the handler.
      reportException({
        message: 'sink call refused by the transport',
        exception: error,
        transport: target,
      });
    } else {
      target.sinkFailed(error, 'Fatal error: invalid value passed to sink.next()');
    }
  };
  return {
    // No closure per value: `next` runs once per chunk or frame written.
    next: (data) => {
      try {
        target.write(data);
      } catch (error) {
        refusedOrFailed(error);
      }
    },
    error: (error: unknown) => {
      target.abortWith(toTransportError(error));
    },
    complete: () => {
      try {
        if (target.canWriteEof()) target.writeEof();
        else target.close();
      } catch (error) {
        refusedOrFailed(error);
      }
    },
  };
}
