import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { rawServer } from '../lib/net.js';
import { runPythonScript } from '../lib/python.js';
import { beforeRun } from '../lib/quiet.js';
import { rawSend } from '../lib/senders.js';
import { MS_PER_64_KIB } from '../lib/slowConsumer.js';
import type { BenchContext, VariantResult, Workload, WorkloadResult } from '../lib/types.js';
import { bothSurfaces } from '../lib/targets.js';
import { pushRun, wanted } from '../lib/variants.js';

/**
 * W6: a sender (raw Node, in this process) writes as fast as it may to a reader that consumes
 * slowly (1 ms per 64 KiB, one chunk at a time, pausing its source at 16 chunks counted and
 * resuming at 4); the figure is the growth of the reader's RSS from its baseline (after a full
 * GC, once connected) to its peak. Each reader runs in a child process of its own per run.
 */

const CHUNK = 64 * 1024;
const MIB = 1024 * 1024;
const HIGH = 16;
const LOW = 4;

interface Figures {
  readonly growth: number;
  readonly peak: number;
  readonly seconds: number;
}

function runChild(command: readonly string[], params: object, timeoutMs: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const [file = process.execPath, ...args] = command;
    const child = spawn(file, [...args, JSON.stringify(params)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as Figures);
      } catch (error) {
        reject(new Error(`W6 reader failed: ${(error as Error).message}: ${stdout.slice(-500)}`));
      }
    });
  });
}

export const w6SlowReader: Workload = {
  id: 'W6',
  title: 'slow reader through mapWithBackpressure',
  async run(ctx: BenchContext): Promise<WorkloadResult> {
    const total = ctx.quick ? 16 * MIB : 256 * MIB;
    // Each run takes total / 64 KiB milliseconds at least; three are enough for a median.
    const runs = Math.min(ctx.runs, 3);
    const chunk = new Uint8Array(CHUNK).fill(0x73);
    let readers: { name: string; surface: VariantResult['surface']; variant: string }[] = [
      { name: 'rxtransport Rx', surface: 'rx', variant: 'rx' },
      { name: 'rxtransport Protocol', surface: 'protocol', variant: 'protocol' },
      {
        name: 'rxtransport BufferedProtocol (recycled buffers)',
        surface: 'buffered',
        variant: 'buffered',
      },
      { name: 'raw Node', surface: 'raw', variant: 'raw' },
      { name: 'raw Node (onread, recycled buffers)', surface: 'raw', variant: 'raw-pool' },
    ];
    const python = ctx.python;
    if (python) {
      readers.push({ name: 'asyncio', surface: 'asyncio', variant: 'asyncio' });
      if (python.uvloop) readers.push({ name: 'uvloop', surface: 'asyncio', variant: 'uvloop' });
    }
    readers = readers.filter((r) => wanted(ctx, r.name));
    const results = readers.map((r) => ({
      name: r.name,
      surface: r.surface,
      runs: {},
    }));
    const timeoutMs = 60_000 + (total / CHUNK) * MS_PER_64_KIB * 4;
    for (let run = 0; run < runs; run++) {
      for (const [index, reader] of readers.entries()) {
        await beforeRun(ctx);
        const server = await rawServer((socket) => {
          rawSend(socket, chunk, total);
        });
        const params = { variant: reader.variant, port: server.port, total, high: HIGH, low: LOW };
        let figures: Figures;
        try {
          figures =
            python && reader.surface === 'asyncio'
              ? ((await runPythonScript(
                  python,
                  join(ctx.benchDir, 'asyncio', 'w6_slow_reader.py'),
                  params,
                  timeoutMs,
                )) as Figures)
              : await runChild(ctx.w6Reader, params, timeoutMs);
        } finally {
          await server.close();
        }
        const target = results[index]!;
        pushRun(target.runs, 'growth', figures.growth);
        pushRun(target.runs, 'peak', figures.peak);
        pushRun(target.runs, 'mbps', total / figures.seconds / 1e6);
        ctx.log(
          `W6 run ${run + 1}/${runs} ${reader.name}: growth ${figures.growth.toFixed(2)} MiB, ` +
            `peak ${figures.peak.toFixed(1)} MiB, ${figures.seconds.toFixed(1)} s`,
        );
      }
    }
    return {
      id: 'W6',
      title: this.title,
      params:
        `${total / MIB} MiB sent as fast as allowed; the reader takes ${MS_PER_64_KIB} ms per 64 KiB, ` +
        `pausing at ${HIGH} chunks counted, resuming at ${LOW}; ${runs} runs, a child process each`,
      metrics: [
        { key: 'growth', label: 'RSS growth MiB', better: 'lower', ratio: false },
        { key: 'peak', label: 'peak RSS MiB', better: 'lower', ratio: false },
        { key: 'mbps', label: 'MB/s consumed', better: 'higher', ratio: false },
      ],
      baseline: 'raw Node',
      variants: results,
      targets: [...bothSurfaces({ metric: 'growth', kind: 'max', value: 16, text: '<= 16 MiB' })],
    };
  },
};
