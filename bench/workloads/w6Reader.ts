/**
 * The W6 reader, run in a child process of its own per run, so that its RSS is its own:
 * `node --expose-gc w6Reader.js '<json params>'`. It connects to the sender, takes its baseline
 * RSS after a full GC, consumes `total` bytes slowly, and prints one JSON line:
 * `{ "growth": MiB, "peak": MiB, "baseline": MiB, "seconds": s }`.
 */
import { connect } from 'node:net';
import { map, timer } from 'rxjs';
import {
  createConnection,
  type BufferedProtocol,
  type Protocol,
  type SocketTransport,
} from '../../src/index.js';
import { mapWithBackpressure } from '../../src/operators/index.js';
import { HOST } from '../lib/net.js';
import { SlowConsumer, workMs } from '../lib/slowConsumer.js';

interface Params {
  readonly variant: 'rx' | 'protocol' | 'buffered' | 'raw' | 'raw-pool';
  readonly port: number;
  readonly total: number;
  readonly high: number;
  readonly low: number;
}

const MIB = 1024 * 1024;

/** Samples the resident set size: on every consumed chunk and every 5 ms. */
class RssMeter {
  private baseline = 0;
  private peak = 0;
  private timer: NodeJS.Timeout | null = null;
  private started = 0;

  start(): void {
    (globalThis as { gc?: () => void }).gc?.();
    this.baseline = process.memoryUsage.rss();
    this.peak = this.baseline;
    this.started = performance.now();
    this.timer = setInterval(() => {
      this.sample();
    }, 5);
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  report(): void {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    const figures = {
      growth: (this.peak - this.baseline) / MIB,
      peak: this.peak / MIB,
      baseline: this.baseline / MIB,
      seconds: (performance.now() - this.started) / 1000,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
}

/** Receives into a pool of recycled 64 KiB buffers; a buffer returns once its chunk is consumed. */
class PooledBufferedProtocol implements BufferedProtocol<SocketTransport> {
  consumer: SlowConsumer | null = null;
  private readonly free: Uint8Array[];
  private current: Uint8Array | null = null;

  constructor(size: number) {
    this.free = Array.from({ length: size }, () => new Uint8Array(65536));
  }

  getBuffer(): Uint8Array {
    this.current = this.free.pop() ?? new Uint8Array(65536);
    return this.current;
  }

  bufferUpdated(nbytes: number): void {
    if (this.current) this.consumer?.push(this.current.subarray(0, nbytes));
    this.current = null;
  }

  release(chunk: Uint8Array): void {
    this.free.push(new Uint8Array(chunk.buffer, 0, 65536));
  }
}

class SlowProtocol implements Protocol<SocketTransport> {
  consumer: SlowConsumer | null = null;

  dataReceived(data: Uint8Array): void {
    this.consumer?.push(data);
  }
}

async function main(): Promise<void> {
  const p = JSON.parse(process.argv[2] ?? '{}') as Params;
  const meter = new RssMeter();
  const finished = new Promise<void>((resolve) => {
    const progress = (received: number): void => {
      meter.sample();
      if (received >= p.total) resolve();
    };
    const consumer = (
      pause: () => void,
      resume: () => void,
      release?: (chunk: Uint8Array) => void,
    ): SlowConsumer =>
      new SlowConsumer({
        total: p.total,
        high: p.high,
        low: p.low,
        pause,
        resume,
        progress,
        ...(release ? { release } : {}),
      });
    const start = async (): Promise<void> => {
      switch (p.variant) {
        case 'raw': {
          const socket = connect({ host: HOST, port: p.port, noDelay: true });
          socket.pause();
          await new Promise((ready) => socket.once('connect', ready));
          meter.start();
          const c = consumer(
            () => socket.pause(),
            () => socket.resume(),
          );
          socket.on('data', (chunk: Buffer) => {
            c.push(chunk);
          });
          socket.resume();
          return;
        }
        case 'raw-pool': {
          // Reads into a pool of recycled 64 KiB buffers (the onread option): what a reader
          // that does not allocate per chunk costs. A buffer returns to the pool once consumed.
          const free: Uint8Array[] = Array.from(
            { length: p.high + 2 },
            () => new Uint8Array(65536),
          );
          let c: SlowConsumer | null = null;
          const socket = connect({
            host: HOST,
            port: p.port,
            noDelay: true,
            onread: {
              buffer: () => free.pop() ?? new Uint8Array(65536),
              callback: (n: number, buf: Uint8Array) => {
                c?.push(buf.subarray(0, n));
                return !(c?.isPaused ?? false);
              },
            },
          });
          await new Promise((ready) => socket.once('connect', ready));
          meter.start();
          c = consumer(
            () => undefined,
            () => socket.resume(),
            (chunk) => free.push(new Uint8Array(chunk.buffer, 0, 65536)),
          );
          return;
        }
        case 'buffered': {
          const protocol = new PooledBufferedProtocol(p.high + 2);
          const transport = await createConnection({
            host: HOST,
            port: p.port,
            protocol: () => protocol,
          });
          meter.start();
          protocol.consumer = consumer(
            () => {
              transport.pauseReading();
            },
            () => {
              transport.resumeReading();
            },
            (chunk) => {
              protocol.release(chunk);
            },
          );
          return;
        }
        case 'protocol': {
          const protocol = new SlowProtocol();
          const transport = await createConnection({
            host: HOST,
            port: p.port,
            protocol: () => protocol,
          });
          meter.start();
          protocol.consumer = consumer(
            () => {
              transport.pauseReading();
            },
            () => {
              transport.resumeReading();
            },
          );
          return;
        }
        case 'rx': {
          const transport = await createConnection({ host: HOST, port: p.port });
          meter.start();
          let received = 0;
          transport.data$
            .pipe(
              mapWithBackpressure(
                transport,
                (chunk) => timer(workMs(chunk.byteLength)).pipe(map(() => chunk.byteLength)),
                { concurrency: 1, highWaterMark: p.high, lowWaterMark: p.low },
              ),
            )
            .subscribe((n) => {
              received += n;
              progress(received);
            });
          return;
        }
      }
    };
    void start();
  });
  await finished;
  meter.report();
  process.exit(0);
}

void main();
