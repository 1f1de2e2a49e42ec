import type { BenchContext, Surface, VariantResult } from './types.js';
import { beforeRun } from './quiet.js';
import { fullGc, withTimeout } from './timing.js';

/** A variant measured in this process: one call is one run. */
export interface NodeVariant {
  readonly name: string;
  readonly surface: Surface;
  /** Runs once and returns each metric's value. */
  run(): Promise<Record<string, number>>;
}

/**
 * Runs every variant `ctx.runs` times, interleaved (run 1 of each, then run 2 of each, ...),
 * so that a drift of the machine over time does not favour one variant. A full GC precedes
 * each run.
 */
export async function runInterleaved(
  ctx: BenchContext,
  id: string,
  variants: readonly NodeVariant[],
  timeoutMs: number,
): Promise<VariantResult[]> {
  variants = variants.filter((v) => wanted(ctx, v.name));
  const results = variants.map((v) => ({
    name: v.name,
    surface: v.surface,
    runs: {},
  }));
  for (let run = 0; run < ctx.runs; run++) {
    for (const [index, variant] of variants.entries()) {
      await beforeRun(ctx);
      fullGc();
      const figures = await withTimeout(variant.run(), timeoutMs, `${id} ${variant.name}`);
      const target = results[index]!;
      for (const [key, value] of Object.entries(figures)) pushRun(target.runs, key, value);
      ctx.log(`${id} run ${run + 1}/${ctx.runs} ${variant.name}: ${describe(figures)}`);
    }
  }
  return results;
}

function describe(figures: Record<string, number>): string {
  return Object.entries(figures)
    .map(([key, value]) => `${key}=${value.toPrecision(4)}`)
    .join(' ');
}

/** Appends one run's `value` to `runs[key]`. */
export function pushRun(runs: Record<string, number[]>, key: string, value: number): void {
  const list = runs[key];
  if (list) list.push(value);
  else runs[key] = [value];
}

/** Whether `--variants=` (regular expressions, any case) selects the variant called `name`. */
export function wanted(ctx: BenchContext, name: string): boolean {
  const filter = ctx.variantFilter;
  return !filter || filter.some((part) => new RegExp(part, 'i').test(name));
}
