import type { CallSoon } from './callSoon.js';

/**
 * When a transport's loss is reported: scheduled once, by whichever comes first of a clean
 * close, an abort or a fatal error, and delivered once, on a later turn [S2, S3] (asyncio's
 * `_conn_lost` guard and `call_soon(_call_connection_lost)`).
 * @internal
 */
export class LossSchedule {
  private isScheduled = false;
  private isDelivered = false;

  constructor(
    private readonly callSoon: CallSoon,
    private readonly deliver: (exc: Error | null) => void,
  ) {}

  /** Whether the loss is scheduled (or delivered): the transport is past saving. */
  get scheduled(): boolean {
    return this.isScheduled;
  }

  /** Whether the loss was delivered (the protocol heard `connectionLost`). */
  get delivered(): boolean {
    return this.isDelivered;
  }

  /** Schedules the loss with `exc`, unless it already is. */
  schedule(exc: Error | null): void {
    if (this.isScheduled) return;
    this.isScheduled = true;
    this.callSoon(() => {
      if (this.isDelivered) return;
      this.isDelivered = true;
      this.deliver(exc);
    });
  }
}
