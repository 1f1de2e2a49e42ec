import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Subject } from 'rxjs';
import {
  createConnection,
  createServer,
  type Protocol,
  type SocketTransport,
} from '../../src/index.js';
import { encodeLengthPrefixed, lengthPrefixed } from '../../src/operators/index.js';
import { FrameDecoder, frameOf } from '../lib/frames.js';
import { closeServer, HOST, portOf, rawServer } from '../lib/net.js';
import { runPythonPeer } from '../lib/python.js';
import { deferred, nextTurn, now, secondsSince } from '../lib/timing.js';
import type { BenchContext, Workload, WorkloadResult } from '../lib/types.js';
import { bothSurfaces } from '../lib/targets.js';
import { runInterleaved, type NodeVariant } from '../lib/variants.js';

/**
 * W3: pipelined 64-byte messages (4-byte length header + 60-byte payload), client to server,
 * decoded by length-prefixed framing at the server; messages per second.
 *
 * The client writes batches of BATCH messages, one batch per event-loop turn, and waits for
 * 'drain' / `drain()` / `resumeWriting` when over the high water mark. rxtransport is written
 * the natural way: one `write()` (or `sink.next`) per message. Raw Node is measured twice: with
 * `cork()`/`uncork()` around each batch (the baseline) and with a plain `write()` per message.
 */

const PAYLOAD = 60;
const BATCH = 1000;

interface Sender {
  /** Writes `count` messages. */
  writeBatch(count: number): void;
  /** Whether the writer is over its high water mark. */
  blocked(): boolean;
  /** Resolves once writing may go on. */
  unblocked(): Promise<void>;
}

async function sendAll(total: number, sender: Sender): Promise<void> {
  for (let sent = 0; sent < total;) {
    const count = Math.min(BATCH, total - sent);
    sender.writeBatch(count);
    sent += count;
    if (sender.blocked()) await sender.unblocked();
    else await nextTurn();
  }
}

function rawSender(socket: Socket, frame: Uint8Array, cork: boolean): Sender {
  return {
    writeBatch: (count) => {
      if (cork) socket.cork();
      for (let i = 0; i < count; i++) socket.write(frame);
      if (cork) socket.uncork();
    },
    blocked: () => socket.writableNeedDrain,
    unblocked: async () => {
      await once(socket, 'drain');
    },
  };
}

function rawVariant(total: number, frame: Uint8Array, cork: boolean): NodeVariant {
  return {
    name: cork ? 'raw Node (cork per batch)' : 'raw Node (write per message)',
    surface: 'raw',
    run: async () => {
      const done = deferred();
      const server = await rawServer((socket) => {
        let count = 0;
        const decoder = new FrameDecoder(() => {
          if (++count === total) done.resolve();
        });
        socket.on('data', (chunk: Buffer) => {
          decoder.feed(chunk);
        });
      });
      const client = connect({ host: HOST, port: server.port, noDelay: true });
      await once(client, 'connect');
      const start = now();
      await sendAll(total, rawSender(client, frame, cork));
      await done.promise;
      const seconds = secondsSince(start);
      client.destroy();
      await server.close();
      return { mps: total / seconds };
    },
  };
}

/** Decodes frames with the hand decoder and counts them. */
class CountingFrameProtocol implements Protocol<SocketTransport> {
  private readonly decoder: FrameDecoder;
  private count = 0;

  constructor(total: number, done: () => void) {
    this.decoder = new FrameDecoder(() => {
      if (++this.count === total) done();
    });
  }

  dataReceived(data: Uint8Array): void {
    this.decoder.feed(data);
  }
}

/** The client's protocol: exposes the pause state as a promise. */
class WriterProtocol implements Protocol<SocketTransport> {
  paused = false;
  private waiter: (() => void) | null = null;

  pauseWriting(): void {
    this.paused = true;
  }

  resumeWriting(): void {
    this.paused = false;
    this.waiter?.();
    this.waiter = null;
  }

  resumed(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

function protocolVariant(total: number, frame: Uint8Array): NodeVariant {
  return {
    name: 'rxtransport Protocol',
    surface: 'protocol',
    run: async () => {
      const done = deferred();
      const server = await createServer({
        host: HOST,
        port: 0,
        protocol: () => new CountingFrameProtocol(total, done.resolve),
      });
      const writer = new WriterProtocol();
      const client = await createConnection({
        host: HOST,
        port: portOf(server),
        protocol: () => writer,
      });
      const start = now();
      await sendAll(total, {
        writeBatch: (count) => {
          for (let i = 0; i < count; i++) client.write(frame);
        },
        blocked: () => writer.paused,
        unblocked: () => writer.resumed(),
      });
      await done.promise;
      const seconds = secondsSince(start);
      client.abort();
      await closeServer(server);
      return { mps: total / seconds };
    },
  };
}

function rxVariant(total: number, payload: Uint8Array): NodeVariant {
  return {
    name: 'rxtransport Rx',
    surface: 'rx',
    run: async () => {
      const done = deferred();
      const server = await createServer({ host: HOST, port: 0 });
      server.connections$.subscribe((conn) => {
        let count = 0;
        conn.data$.pipe(lengthPrefixed({ headerBytes: 4 })).subscribe(() => {
          if (++count === total) done.resolve();
        });
      });
      const client = await createConnection({ host: HOST, port: portOf(server) });
      let writable = true;
      client.writable$.subscribe((w) => (writable = w));
      const payloads = new Subject<Uint8Array>();
      payloads.pipe(encodeLengthPrefixed({ headerBytes: 4 })).subscribe(client.sink);
      const start = now();
      await sendAll(total, {
        writeBatch: (count) => {
          for (let i = 0; i < count; i++) payloads.next(payload);
        },
        blocked: () => !writable,
        unblocked: () => client.drain(),
      });
      await done.promise;
      const seconds = secondsSince(start);
      client.abort();
      await closeServer(server);
      return { mps: total / seconds };
    },
  };
}

export const w3Framed: Workload = {
  id: 'W3',
  title: 'pipelined 64-byte messages, lengthPrefixed framing',
  async run(ctx: BenchContext): Promise<WorkloadResult> {
    const total = ctx.quick ? 50_000 : 1_000_000;
    const payload = new Uint8Array(PAYLOAD).fill(0x6d);
    const frame = frameOf(payload);
    const variants = [
      rxVariant(total, payload),
      protocolVariant(total, frame),
      rawVariant(total, frame, true),
      rawVariant(total, frame, false),
    ];
    const results = await runInterleaved(ctx, 'W3', variants, 300_000);
    const python = await runPythonPeer(
      ctx,
      'W3',
      'w3_framed.py',
      { total, payload: PAYLOAD, batch: BATCH },
      900_000,
    );
    const baseline = 'raw Node (cork per batch)';
    return {
      id: 'W3',
      title: this.title,
      params:
        `${total.toLocaleString('en')} messages of 64 bytes (4-byte header + ${PAYLOAD}), ` +
        `${BATCH} per event-loop turn`,
      metrics: [{ key: 'mps', label: 'messages/s', better: 'higher' }],
      baseline,
      variants: [...results, ...python],
      targets: [
        ...bothSurfaces({
          metric: 'mps',
          kind: 'ratio',
          value: 0.9,
          text: '>= 0.9 of raw Node with cork()',
        }),
      ],
    };
  },
};
