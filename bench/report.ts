import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { drawChart } from './chart.js';
import type { MicroResult } from './micro.js';
import { formatFigure, formatRatio, summarize, type WorkloadSummary } from './lib/summary.js';
import type { BenchContext, WorkloadResult } from './lib/types.js';

/** Where and how the figures were taken. */
export interface MachineInfo {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly python: string | null;
  readonly mode: 'quick' | 'full';
  readonly runs: number;
  /** The commit measured, and whether src/ had uncommitted changes. */
  readonly source: string;
  /** The 1-minute load average when the bench started (other work skews the figures). */
  readonly loadAtStart: number;
  /** Runs that started while other processes used a fifth of a core or more. */
  readonly runsUnderLoad: number;
}

/** The commit measured, read when the bench starts (src/ may change while it runs). */
export function sourceState(): string {
  const git = (args: string[]): string =>
    spawnSync('git', args, { encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain', '--', 'src']) !== '';
  return dirty ? `${commit} + uncommitted changes in src/` : commit;
}

export function machineInfo(ctx: BenchContext): MachineInfo {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    node: process.version,
    python: ctx.python
      ? `${ctx.python.version}${ctx.python.uvloop ? ' + uvloop' : ' (no uvloop)'}`
      : null,
    mode: ctx.quick ? 'quick' : 'full',
    runs: ctx.runs,
    source: ctx.source,
    loadAtStart: ctx.loadAtStart,
    runsUnderLoad: ctx.noise.runsUnderLoad,
  };
}

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

/** The results as a Markdown table, one row per workload and variant. */
export function resultsTable(workloads: readonly WorkloadSummary[]): string {
  const lines = [
    row(['Workload', 'Variant', 'Median', 'Ratio to raw Node', 'Target']),
    row(['---', '---', '---:', '---:', '---']),
  ];
  for (const w of workloads) {
    for (const [index, v] of w.variants.entries()) {
      const figures = w.metrics
        .map((m) => `${formatFigure(v.medians[m.key] ?? Number.NaN)} ${m.label}`)
        .join(', ');
      const ratios = w.metrics
        .filter((m) => m.ratio !== false && v.ratios[m.key] !== undefined)
        .map((m, i) => {
          const r = formatRatio(v.ratios[m.key] ?? Number.NaN);
          return i === 0 ? r : `${r} (${m.label})`;
        })
        .join(', ');
      const targets = w.targets
        .filter((t) => t.variant === v.name)
        .map((t) => `${t.text}: ${t.met ? '**met**' : '**missed**'}`)
        .join('; ');
      lines.push(
        row([
          index === 0 ? `${w.id} ${w.title}` : '',
          v.name === w.baseline ? `${v.name} (baseline)` : v.name,
          figures,
          v.name === w.baseline ? '1.00' : ratios || '–',
          targets,
        ]),
      );
    }
  }
  return lines.join('\n');
}

/**
 * One row per workload: raw Node's figure and each surface's ratio to it (W6: the RSS growth
 * in MiB), with the targets. For a README.
 */
export function compactTable(workloads: readonly WorkloadSummary[]): string {
  const lines = [
    row(['Workload', 'raw Node', 'rxtransport Rx', 'rxtransport Protocol', 'asyncio', 'Targets']),
    row(['---', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const w of workloads) {
    const ratioMetric = w.metrics.find((m) => m.ratio !== false);
    const metric = ratioMetric ?? w.metrics[0];
    if (!metric) continue;
    const cell = (name: string | undefined): string => {
      const v = w.variants.find((x) => x.name === name);
      if (!v) return '–';
      return ratioMetric
        ? formatRatio(v.ratios[metric.key] ?? Number.NaN)
        : `${formatFigure(v.medians[metric.key] ?? Number.NaN)} MiB`;
    };
    const named = (surface: string): string | undefined =>
      w.variants.find((v) => v.surface === surface && !v.name.includes('recycled'))?.name;
    const buffered = w.variants.find((v) => v.surface === 'buffered' && ratioMetric)?.name;
    const base = w.variants.find((v) => v.name === w.baseline);
    const targets = w.targets
      .map(
        (t) =>
          `${t.variant.replace('rxtransport ', '')} ${t.text}: ${t.met ? 'met' : '**missed**'}`,
      )
      .join('; ');
    lines.push(
      row([
        `${w.id} ${w.title} (${metric.label})`,
        ratioMetric ? formatFigure(base?.medians[metric.key] ?? Number.NaN) : cell(w.baseline),
        cell(named('rx')),
        cell(named('protocol')) + (buffered ? ` (Buffered ${cell(buffered)})` : ''),
        cell(named('asyncio')),
        targets,
      ]),
    );
  }
  return lines.join('\n');
}

export function microTable(micro: readonly MicroResult[]): string {
  return [
    row(['Micro figure', 'ns per chunk or frame', 'Target']),
    row(['---', '---:', '---']),
    ...micro.map((m) =>
      row([
        m.name,
        m.nsPerChunk.toFixed(0),
        m.target === undefined
          ? m.kind === 'reference'
            ? 'reference'
            : ''
          : `< ${m.target} ns: ${m.nsPerChunk < m.target ? '**met**' : '**missed**'}`,
      ]),
    ),
  ].join('\n');
}

/** Prints the tables, writes results.json and ratios.svg into `dir`. */
export function writeReport(
  dir: string,
  data: {
    readonly machine: MachineInfo;
    readonly seconds: number;
    readonly workloads: readonly WorkloadResult[];
    readonly micro: readonly MicroResult[];
    /** Set when `--only` or `--variants` left something out. */
    readonly partial?: boolean;
  },
): void {
  const { machine } = data;
  const workloads = data.workloads.map(summarize);
  const header =
    `${machine.date.slice(0, 10)}, ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
    `${machine.kernel}, Node ${machine.node}, python ${machine.python ?? 'absent'}; ` +
    `source ${machine.source}; ${machine.mode} mode, median of ${machine.runs} runs, ` +
    `${Math.round(data.seconds)} s in all; load average ${machine.loadAtStart.toFixed(2)} at start, ` +
    `${machine.runsUnderLoad} runs started beside other work`;
  const sizes = workloads.map((w) => `- ${w.id}: ${w.params}${w.scaled ? ` (${w.scaled})` : ''}`);
  const targets = workloads.flatMap((w) => w.targets);
  const met =
    targets.filter((t) => t.met).length +
    data.micro.filter((m) => m.target !== undefined && m.nsPerChunk < m.target).length;
  const all = targets.length + data.micro.filter((m) => m.target !== undefined).length;
  const out = [
    '',
    header,
    '',
    ...(workloads.length > 0 ? [resultsTable(workloads), '', compactTable(workloads), ''] : []),
    ...(data.micro.length > 0 ? [microTable(data.micro), ''] : []),
    'Sizes:',
    ...sizes,
    '',
    `Targets met: ${met} of ${all}.`,
    ...(machine.mode === 'quick'
      ? ['Quick mode: small sizes, for checking that the bench runs; the figures are rough.']
      : []),
    '',
  ];
  process.stdout.write(out.join('\n'));
  writeFileSync(
    join(dir, 'results.json'),
    `${JSON.stringify({ machine, seconds: data.seconds, workloads, micro: data.micro }, null, 2)}\n`,
  );
  // Quick or partial figures must not replace the committed chart of a full run.
  const chart =
    machine.mode === 'quick' || data.partial === true
      ? join(tmpdir(), 'rxtransport-ratios-partial.svg')
      : join(dir, 'ratios.svg');
  writeFileSync(
    chart,
    drawChart(
      workloads,
      data.micro,
      `${machine.date.slice(0, 10)} · Node ${machine.node} · ${machine.cpu} × ${machine.cores} · ${machine.mode}`,
    ),
  );
  process.stdout.write(`Wrote ${join(dir, 'results.json')} and ${chart}\n`);
}
