import { median } from './stats.js';
import type { MetricSpec, TargetSpec, VariantResult, WorkloadResult } from './types.js';

/** A variant's medians and ratios to the workload's baseline. */
export interface VariantSummary {
  readonly name: string;
  readonly surface: VariantResult['surface'];
  readonly runs: Record<string, number[]>;
  readonly medians: Record<string, number>;
  /** For metrics with a ratio: > 1 is better than the baseline, whichever way the metric goes. */
  readonly ratios: Record<string, number>;
}

/** A target and whether the medians meet it. */
export interface TargetResult extends TargetSpec {
  /** The ratio (kind `ratio`) or the median (kind `max`); NaN when not measured. */
  readonly actual: number;
  readonly met: boolean;
}

export interface WorkloadSummary extends Omit<WorkloadResult, 'variants' | 'targets'> {
  readonly variants: readonly VariantSummary[];
  readonly targets: readonly TargetResult[];
}

/** Ratio of `value` to `base`, oriented so that > 1 is better. */
export function ratioOf(metric: MetricSpec, value: number, base: number): number {
  return metric.better === 'higher' ? value / base : base / value;
}

export function summarize(workload: WorkloadResult): WorkloadSummary {
  const mediansOf = (v: VariantResult): Record<string, number> =>
    Object.fromEntries(workload.metrics.map((m) => [m.key, median(v.runs[m.key] ?? [])]));
  const medians = new Map(workload.variants.map((v) => [v.name, mediansOf(v)]));
  const ratiosTo = (baseline: string, name: string): Record<string, number> => {
    const base = medians.get(baseline);
    const own = medians.get(name);
    const ratios: Record<string, number> = {};
    for (const m of workload.metrics) {
      if (m.ratio === false || !base || !own) continue;
      ratios[m.key] = ratioOf(m, own[m.key] ?? Number.NaN, base[m.key] ?? Number.NaN);
    }
    return ratios;
  };
  const variants = workload.variants.map((v) => ({
    name: v.name,
    surface: v.surface,
    runs: v.runs,
    medians: medians.get(v.name) ?? {},
    ratios: ratiosTo(workload.baseline, v.name),
  }));
  const targets = workload.targets.map((t): TargetResult => {
    const own = medians.get(t.variant);
    if (t.kind === 'max') {
      const actual = own?.[t.metric] ?? Number.NaN;
      return { ...t, actual, met: actual <= t.value };
    }
    const actual = ratiosTo(t.baseline ?? workload.baseline, t.variant)[t.metric] ?? Number.NaN;
    return { ...t, actual, met: actual >= t.value };
  });
  return { ...workload, variants, targets };
}

/** A figure with a sensible number of digits and thousands separators. */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/**
 * A ratio with two decimals, truncated rather than rounded, so that a ratio shown as 0.90 meets
 * a target of 0.90.
 */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return (Math.floor(ratio * 100 + 1e-9) / 100).toFixed(2);
}
