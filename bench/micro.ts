import { Readable } from 'node:stream';
import { Subject } from 'rxjs';
import { Bench } from 'tinybench';
import type { StreamHandle, StreamHandleEvents } from '../src/core/handle.js';
import { StreamTransport } from '../src/core/StreamTransport.js';
import type { BufferedProtocol, Protocol, SocketTransport } from '../src/index.js';
import { encodeLengthPrefixed, lengthPrefixed } from '../src/operators/index.js';
import { nextTurn } from './lib/timing.js';
import type { BenchContext } from './lib/types.js';
import { FrameDecoder, frameOf } from './lib/frames.js';

/**
 * Micro figures: the per-chunk cost of the core (StreamTransport between a handle's `onData`
 * and the protocol, or between `write()` and the handle) and of `data$`, in ns per chunk,
 * measured with tinybench over a handle that does no I/O; and the framing operators' cost per
 * frame (W3's messages). References: a hand-written frame decoder, and Node's own per-chunk
 * cost of a Readable in flowing mode (`push()` to a 'data' listener), which every chunk read
 * from a `net.Socket` pays.
 */

/** Chunks per task call, so that the timer's resolution does not matter. */
const INNER = 1000;

export interface MicroResult {
  readonly name: string;
  readonly kind: 'rxtransport' | 'reference';
  readonly nsPerChunk: number;
  /** The bound, in ns per chunk, where it sets one. */
  readonly target?: number;
}

/** A handle that does no I/O: the bench calls its `onData`; writes complete at once. */
class NullHandle implements StreamHandle {
  events: StreamHandleEvents | null = null;
  readonly canShutdown = true;
  readonly extraInfo = {};
  written = 0;

  bind(events: StreamHandleEvents): void {
    this.events = events;
  }

  readStart(): void {
    // Nothing to read from.
  }

  readStop(): void {
    // Nothing to read from.
  }

  write(chunks: readonly Uint8Array[]): boolean {
    this.written += chunks.length;
    return true;
  }

  shutdown(): void {
    // Nothing to shut down.
  }

  close(): void {
    // Nothing to release.
  }
}

let sink = 0;

async function openCore(
  protocol?: Protocol<SocketTransport> | BufferedProtocol<SocketTransport>,
): Promise<{ handle: NullHandle; transport: StreamTransport }> {
  const handle = new NullHandle();
  const transport = new StreamTransport(handle, { protocol });
  await transport.ready;
  return { handle, transport };
}

export async function runMicro(ctx: BenchContext): Promise<MicroResult[]> {
  const chunk = new Uint8Array(64).fill(0x6b);
  const bench = new Bench({
    time: ctx.quick ? 100 : 1000,
    warmupTime: ctx.quick ? 20 : 200,
  });

  const plain = await openCore({
    dataReceived: (data) => {
      sink += data.byteLength;
    },
  });
  const buffer = new Uint8Array(64 * 1024);
  const buffered = await openCore({
    getBuffer: () => buffer,
    bufferUpdated: (n) => {
      sink += n;
    },
  });
  const rx = await openCore();
  rx.transport.data$.subscribe((data) => {
    sink += data.byteLength;
  });
  const writer = await openCore({});
  const readable = new Readable({ read: () => undefined });
  readable.on('data', (data: Buffer) => {
    sink += data.byteLength;
  });
  // 'data' starts flowing on the next tick; until then push() buffers.
  await nextTurn();

  // Framing, per 64-byte frame: the operators, and the hand-written decoder for reference.
  const payload = new Uint8Array(60).fill(0x66);
  const frames = new Uint8Array(64 * INNER);
  for (let i = 0; i < INNER; i++) frames.set(frameOf(payload), 64 * i);
  const framed = new Subject<Uint8Array>();
  framed.pipe(lengthPrefixed({ headerBytes: 4 })).subscribe((p) => {
    sink += p.byteLength;
  });
  const payloads = new Subject<Uint8Array>();
  payloads.pipe(encodeLengthPrefixed({ headerBytes: 4 })).subscribe((f) => {
    sink += f.byteLength;
  });
  const decoder = new FrameDecoder((p) => {
    sink += p.byteLength;
  });

  const tasks: { name: string; kind: MicroResult['kind']; target?: number; fn: () => void }[] = [
    {
      name: 'core: onData -> Protocol.dataReceived',
      kind: 'rxtransport',
      target: 1000,
      fn: () => {
        const events = plain.handle.events!;
        for (let i = 0; i < INNER; i++) events.onData(chunk);
      },
    },
    {
      name: 'core: onData -> BufferedProtocol (64 B copied)',
      kind: 'rxtransport',
      target: 1000,
      fn: () => {
        const events = buffered.handle.events!;
        for (let i = 0; i < INNER; i++) events.onData(chunk);
      },
    },
    {
      name: 'core + data$: onData -> 1 subscriber',
      kind: 'rxtransport',
      fn: () => {
        const events = rx.handle.events!;
        for (let i = 0; i < INNER; i++) events.onData(chunk);
      },
    },
    {
      name: 'core: write(64 B) -> handle',
      kind: 'rxtransport',
      target: 1000,
      fn: () => {
        const transport = writer.transport;
        for (let i = 0; i < INNER; i++) transport.write(chunk);
      },
    },
    {
      name: 'lengthPrefixed, per 64-byte frame (64 KiB chunks)',
      kind: 'rxtransport',
      fn: () => {
        framed.next(frames);
      },
    },
    {
      name: 'encodeLengthPrefixed, per 60-byte payload',
      kind: 'rxtransport',
      fn: () => {
        for (let i = 0; i < INNER; i++) payloads.next(payload);
      },
    },
    {
      name: 'hand-written frame decoder, per 64-byte frame',
      kind: 'reference',
      fn: () => {
        decoder.feed(frames);
      },
    },
    {
      name: "Node: Readable.push -> 'data' listener",
      kind: 'reference',
      fn: () => {
        const buf = Buffer.from(chunk.buffer);
        for (let i = 0; i < INNER; i++) readable.push(buf);
      },
    },
  ];
  for (const task of tasks) bench.add(task.name, task.fn);
  await bench.run();

  const results: MicroResult[] = [];
  for (const task of tasks) {
    const result = bench.getTask(task.name)?.result;
    if (!result || !('latency' in result)) throw new Error(`micro task ${task.name} failed`);
    const nsPerChunk = (result.latency.p50 * 1e6) / INNER;
    results.push({
      name: task.name,
      kind: task.kind,
      nsPerChunk,
      ...(task.target === undefined ? {} : { target: task.target }),
    });
    ctx.log(`micro ${task.name}: ${nsPerChunk.toFixed(1)} ns/chunk`);
  }
  // The Readable must have delivered synchronously, or its figure would mean nothing.
  if (readable.readableLength > 0) ctx.log('micro: warning: the Readable buffered chunks');
  if (sink < 0) ctx.log(String(sink));
  for (const { transport } of [plain, buffered, rx, writer]) transport.abort();
  return results;
}
