import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lastValueFrom } from 'rxjs';
import {
  subprocessExec,
  type SubprocessProtocol,
  type SubprocessTransport,
  type WritePipeTransport,
} from '../../src/index.js';
import { runPythonPeer } from '../lib/python.js';
import { rawSend, rxSend, WritePump } from '../lib/senders.js';
import { deferred, now, secondsSince } from '../lib/timing.js';
import type { BenchContext, Workload, WorkloadResult } from '../lib/types.js';
import { bothSurfaces } from '../lib/targets.js';
import { runInterleaved, type NodeVariant } from '../lib/variants.js';

/**
 * W4: bytes through `cat` as a subprocess, written to its stdin in 64 KiB writes and read back
 * from its stdout; MB/s, from the spawn to the last byte read.
 */

const CHUNK = 64 * 1024;
const MIB = 1024 * 1024;

class CatProtocol implements SubprocessProtocol<SubprocessTransport> {
  private pump: WritePump | null = null;
  private received = 0;

  constructor(
    private readonly chunk: Uint8Array,
    private readonly total: number,
    private readonly done: () => void,
  ) {}

  connectionMade(transport: SubprocessTransport): void {
    const stdin = transport.getPipeTransport(0) as WritePipeTransport;
    this.pump = new WritePump(
      (c) => {
        stdin.write(c);
      },
      this.chunk,
      this.total,
      () => {
        stdin.writeEof();
      },
    );
    this.pump.run();
  }

  pauseWriting(): void {
    this.pump?.pause();
  }

  resumeWriting(): void {
    this.pump?.resume();
  }

  pipeDataReceived(_fd: number, data: Uint8Array): void {
    this.received += data.byteLength;
    if (this.received >= this.total) this.done();
  }
}

function rawVariant(total: number, chunk: Uint8Array): NodeVariant {
  return {
    name: 'raw Node',
    surface: 'raw',
    run: async () => {
      const done = deferred();
      const start = now();
      const child = spawn('cat', [], { stdio: 'pipe' });
      let received = 0;
      child.stdout.on('data', (data: Buffer) => {
        received += data.byteLength;
        if (received >= total) done.resolve();
      });
      rawSend(child.stdin, chunk, total);
      await done.promise;
      const seconds = secondsSince(start);
      if (child.exitCode === null) await once(child, 'exit');
      return { mbps: total / seconds / 1e6 };
    },
  };
}

function rxtransportVariant(total: number, chunk: Uint8Array, rx: boolean): NodeVariant {
  return {
    name: rx ? 'rxtransport Rx' : 'rxtransport Protocol',
    surface: rx ? 'rx' : 'protocol',
    run: async () => {
      const done = deferred();
      const start = now();
      let child: SubprocessTransport;
      if (rx) {
        child = await subprocessExec('cat');
        let received = 0;
        child.data$.subscribe((data) => {
          received += data.byteLength;
          if (received >= total) done.resolve();
        });
        rxSend(child.stdin as WritePipeTransport, chunk, total);
      } else {
        child = await subprocessExec('cat', [], {
          protocol: () => new CatProtocol(chunk, total, done.resolve),
        });
      }
      await done.promise;
      const seconds = secondsSince(start);
      await lastValueFrom(child.exit$);
      child.close();
      return { mbps: total / seconds / 1e6 };
    },
  };
}

export const w4Cat: Workload = {
  id: 'W4',
  title: 'through `cat` as a subprocess',
  async run(ctx: BenchContext): Promise<WorkloadResult> {
    const total = ctx.quick ? 16 * MIB : 256 * MIB;
    const chunk = new Uint8Array(CHUNK).fill(0x63);
    const variants = [
      rxtransportVariant(total, chunk, true),
      rxtransportVariant(total, chunk, false),
      rawVariant(total, chunk),
    ];
    // A run takes a fraction of a second and `cat` shares the two cores: more runs, steadier medians.
    const runs = ctx.quick ? ctx.runs : Math.max(ctx.runs, 9);
    const results = await runInterleaved({ ...ctx, runs }, 'W4', variants, 120_000);
    const python = await runPythonPeer(
      { ...ctx, runs },
      'W4',
      'w4_cat.py',
      { total, chunk: CHUNK },
      600_000,
    );
    return {
      id: 'W4',
      title: this.title,
      params:
        `${total / MIB} MiB to cat's stdin in ${CHUNK / 1024} KiB writes, read back from its ` +
        `stdout; ${runs} runs`,
      metrics: [{ key: 'mbps', label: 'MB/s', better: 'higher' }],
      baseline: 'raw Node',
      variants: [...results, ...python],
      targets: [
        ...bothSurfaces({
          metric: 'mbps',
          kind: 'ratio',
          value: 0.95,
          text: '>= 0.95 of raw Node',
        }),
      ],
    };
  },
};
