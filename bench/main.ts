/**
 * The benchmark program proper (bench/run.ts bundles it and runs it with plain `node`).
 * Runs every workload on rxtransport's Rx surface, its Protocol surface, raw Node and the
 * python3 asyncio peer, prints the table, writes bench/results.json and bench/ratios.svg.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { findPython } from './lib/python.js';
import type { BenchContext, Workload, WorkloadResult } from './lib/types.js';
import { runMicro, type MicroResult } from './micro.js';
import { machineInfo, sourceState, writeReport } from './report.js';
import { w1TcpStream } from './workloads/w1TcpStream.js';
import { w2PingPong, w9TlsPingPong } from './workloads/w2PingPong.js';
import { w3Framed } from './workloads/w3Framed.js';
import { w4Cat } from './workloads/w4Cat.js';
import { w5Udp } from './workloads/w5Udp.js';
import { w6SlowReader } from './workloads/w6SlowReader.js';
import { w7ManyConnections } from './workloads/w7ManyConnections.js';
import { w8TlsStream } from './workloads/w8TlsStream.js';

const WORKLOADS: readonly Workload[] = [
  w1TcpStream,
  w2PingPong,
  w3Framed,
  w4Cat,
  w5Udp,
  w6SlowReader,
  w7ManyConnections,
  w8TlsStream,
  w9TlsPingPong,
];

/** Where the bench's files are, and how to start the W6 reader child. */
export interface BenchPaths {
  /** The bench/ folder (results, chart, asyncio peers). */
  readonly benchDir: string;
  /** The command and arguments that start the W6 reader (a bundle, or tsx). */
  readonly w6Reader: readonly string[];
}

function option(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

export async function runBench(argv: readonly string[], paths: BenchPaths): Promise<void> {
  if (argv.includes('--from-json')) {
    // Prints the tables and redraws the chart from bench/results.json, running nothing.
    const saved = JSON.parse(
      readFileSync(join(paths.benchDir, 'results.json'), 'utf8'),
    ) as Parameters<typeof writeReport>[1];
    writeReport(paths.benchDir, saved);
    return;
  }
  const quick = argv.includes('--quick');
  const runs = Number(option(argv, 'runs') ?? (quick ? 3 : 5));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be an integer >= 1');
  const only = option(argv, 'only')?.toUpperCase().split(',');
  const started = Date.now();
  const ctx: BenchContext = {
    quick,
    runs,
    loadAtStart: loadavg()[0] ?? 0,
    source: sourceState(),
    // Full runs wait up to 2 minutes per run for other work to finish; quick runs (CI) never.
    quietWaitMs: quick || argv.includes('--no-wait') ? 0 : 120_000,
    noise: { runsUnderLoad: 0 },
    variantFilter: option(argv, 'variants')?.split(',') ?? null,
    python: argv.includes('--no-python') ? null : findPython(),
    benchDir: paths.benchDir,
    w6Reader: paths.w6Reader,
    log: (message) => {
      const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
      process.stderr.write(`[${t} s] ${message}\n`);
    },
  };
  const python = ctx.python;
  ctx.log(
    `mode ${quick ? 'quick' : 'full'}, ${runs} runs per variant, medians reported; ` +
      (python
        ? `python3 ${python.version}${python.uvloop ? ' with uvloop' : ', no uvloop (its variants are left out)'}`
        : 'no python3'),
  );
  if (ctx.loadAtStart > 0.5) {
    ctx.log(
      `warning: load average ${ctx.loadAtStart.toFixed(2)}: other work on this machine skews the figures`,
    );
  }
  const workloads: WorkloadResult[] = [];
  for (const workload of WORKLOADS) {
    if (only && !only.includes(workload.id)) continue;
    ctx.log(`${workload.id}: ${workload.title}`);
    workloads.push(await workload.run(ctx));
  }
  let micro: MicroResult[] = [];
  if (!only || only.includes('MICRO')) {
    ctx.log('micro: per-chunk cost');
    micro = await runMicro(ctx);
  }
  writeReport(paths.benchDir, {
    machine: machineInfo(ctx),
    seconds: (Date.now() - started) / 1000,
    workloads,
    micro,
    partial: only !== undefined || ctx.variantFilter !== null,
  });
}

if (require.main === module) {
  const benchDir = process.env['RXTRANSPORT_BENCH_DIR'] ?? __dirname;
  const w6Reader = [process.execPath, '--expose-gc', `${__dirname}/w6Reader.js`];
  runBench(process.argv.slice(2), { benchDir, w6Reader }).then(
    () => {
      // Every workload closes what it opened; exit anyway, so that nothing can hang CI.
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
