/** The shapes shared by the workloads, the runner and the report. */

/** Which way of using the transport a variant measures. */
export type Surface = 'rx' | 'protocol' | 'buffered' | 'raw' | 'asyncio';

/** One figure a workload reports. */
export interface MetricSpec {
  readonly key: string;
  readonly label: string;
  readonly better: 'higher' | 'lower';
  /** Whether a ratio to the baseline is meaningful (not for loss or RSS). Default true. */
  readonly ratio?: boolean;
}

/** A target of the issue, checked on the medians. */
export interface TargetSpec {
  /** The variant the target is about. */
  readonly variant: string;
  readonly metric: string;
  /** `ratio`: ratio to `baseline` (or the workload's) at least `value`; `max`: median at most `value`. */
  readonly kind: 'ratio' | 'max';
  readonly value: number;
  readonly baseline?: string;
  /** How the issue states it. */
  readonly text: string;
}

/** The per-run figures of one variant. */
export interface VariantResult {
  readonly name: string;
  readonly surface: Surface;
  /** Metric key to the value of each run. */
  readonly runs: Record<string, number[]>;
}

/** Everything a workload measured. */
export interface WorkloadResult {
  readonly id: string;
  readonly title: string;
  /** The sizes used, in words. */
  readonly params: string;
  /** Set when the sizes were scaled down (and why). */
  readonly scaled?: string;
  readonly metrics: readonly MetricSpec[];
  /** The variant ratios are taken to (raw Node used well). */
  readonly baseline: string;
  readonly variants: readonly VariantResult[];
  readonly targets: readonly TargetSpec[];
}

/** What every workload is given. */
export interface BenchContext {
  readonly quick: boolean;
  /** Runs per variant (the median is reported). */
  readonly runs: number;
  /** Runs only the variants whose name matches one of these regular expressions; all when null. */
  readonly variantFilter: readonly string[] | null;
  /** How long to wait, before each run, for other processes to go quiet (0: never wait). */
  readonly quietWaitMs: number;
  /** Counts what the waiting could not avoid. */
  readonly noise: { runsUnderLoad: number };
  /** The commit measured, and whether src/ had uncommitted changes, when the bench started. */
  readonly source: string;
  /** The 1-minute load average when the bench started. */
  readonly loadAtStart: number;
  /** The python3 found, or null. */
  readonly python: PythonInfo | null;
  /** The bench/ folder: the asyncio peers are in its asyncio/. */
  readonly benchDir: string;
  /** The command and arguments that start the W6 reader child. */
  readonly w6Reader: readonly string[];
  readonly log: (message: string) => void;
}

/** The python3 interpreter the asyncio peers run on. */
export interface PythonInfo {
  readonly command: string;
  readonly version: string;
  readonly uvloop: boolean;
}

/** A workload: one file of bench/workloads. */
export interface Workload {
  readonly id: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<WorkloadResult>;
}
