import { readFileSync } from 'node:fs';
import type { BenchContext } from './types.js';

/** Busy and total CPU time of the machine so far, in clock ticks (Linux /proc/stat). */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Cores' worth of CPU that other processes used over `ms` (null where /proc/stat is missing). */
async function othersBusy(ms: number): Promise<number | null> {
  const before = machineTicks();
  const own = process.cpuUsage();
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  if (!before || !after) return null;
  const ownUsage = process.cpuUsage(own);
  const elapsed = performance.now() - start;
  // /proc/stat counts in USER_HZ ticks of 10 ms.
  const busyCores = ((after.busy - before.busy) * 10) / elapsed;
  const ownCores = (ownUsage.user + ownUsage.system) / 1000 / elapsed;
  return Math.max(0, busyCores - ownCores);
}

/**
 * Waits, up to `maxMs`, until other processes use less than a fifth of a core: a test suite
 * running beside the bench on a 2-core machine moves every figure. Resolves with the other
 * processes' load when it stopped waiting (null when unknown).
 */
export async function waitForQuiet(
  maxMs: number,
  log: (m: string) => void,
): Promise<number | null> {
  const deadline = performance.now() + maxMs;
  let warned = false;
  for (;;) {
    const busy = await othersBusy(250);
    if (busy === null || busy < 0.2 || performance.now() >= deadline) return busy;
    if (!warned) {
      log(
        `other processes use ${busy.toFixed(2)} cores: waiting for them (up to ${maxMs / 1000} s)`,
      );
      warned = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Waits for quiet before a run (see `waitForQuiet`) and counts the runs taken under load. */
export async function beforeRun(ctx: BenchContext): Promise<void> {
  if (ctx.quietWaitMs <= 0) return;
  const busy = await waitForQuiet(ctx.quietWaitMs, ctx.log);
  if (busy !== null && busy >= 0.2) {
    ctx.noise.runsUnderLoad += 1;
    ctx.log(`warning: this run shares the machine with ${busy.toFixed(2)} cores of other work`);
  }
}
