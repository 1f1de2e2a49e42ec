import type { StreamHandle } from './handle.js';

/**
 * What a platform adapter provides to drive a subprocess transport: a started child and its
 * piped descriptors.
 * @internal
 */
export interface ProcessHandle {
  /** The child's process id. */
  readonly pid: number;
  /** Handles of the piped descriptors 0, 1 and 2; `null` where a descriptor is not piped. */
  readonly stdio: readonly [StreamHandle | null, StreamHandle | null, StreamHandle | null];
  /** Values for `getExtraInfo` (`'subprocess'`). */
  readonly extraInfo: Readonly<Record<string, unknown>>;
  /**
   * Calls `onExit` once with the return code (`-N` for signal N) when the child has exited
   * and been reaped.
   */
  onExit(onExit: (returncode: number) => void): void;
  /**
   * Sends a signal to a child that has not been seen to exit.
   * @throws TypeError for an unknown signal, `ProcessLookupError` if the child is gone.
   */
  signal(signal: number | string): void;
}
