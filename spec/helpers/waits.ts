/**
 * Waits for the real-I/O specs. They poll a condition instead of sleeping for a fixed time, so
 * no spec depends on how fast the machine is; a wait that times out fails the test with its
 * description.
 */

/** Resolves after `n` turns of the event loop (each one a `setImmediate`). */
export async function turns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every few milliseconds; rejects naming `what` if it is not met in time. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(2);
  }
}

/**
 * Resolves once `read()` has kept the same value over `samples` polls `intervalMs` apart (a
 * transfer that has stalled), with that value.
 */
export async function waitForStable(
  read: () => number,
  what: string,
  { samples = 5, intervalMs = 20, timeoutMs = 10_000 } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let same = 0;
  while (same < samples) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms: ${what} kept changing`);
    await delay(intervalMs);
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/** Whether `promise` has settled after a few turns of the event loop (it is left running). */
export async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await turns(5);
  await delay(20);
  return settled;
}
