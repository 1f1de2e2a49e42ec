import { connect, type Socket } from 'node:net';
import {
  createConnection,
  createServer,
  type Protocol,
  type Server,
  type SocketTransport,
} from '../../src/index.js';
import { pipeline } from '../../src/operators/index.js';
import { closeServer, HOST, portOf, rawServer } from '../lib/net.js';
import { runPythonPeer } from '../lib/python.js';
import { rawSend, rxSend, WritePump } from '../lib/senders.js';
import { percentile } from '../lib/stats.js';
import { deferred, now } from '../lib/timing.js';
import type { BenchContext, Workload, WorkloadResult } from '../lib/types.js';
import { bothSurfaces } from '../lib/targets.js';
import { runInterleaved, type NodeVariant } from '../lib/variants.js';

/**
 * W7: many concurrent connections to an echo server, each sending `size` bytes in 64 KiB
 * writes and reading them back; total MB/s (payload bytes echoed / wall time) and the p99 of
 * each connection's connect + echo latency. All connections start in the same turn; the
 * server's backlog is 2048 so that no SYN is dropped.
 */

const CHUNK = 64 * 1024;
const BACKLOG = 2048;
const KIB = 1024;

interface Params {
  readonly connections: number;
  readonly size: number;
}

/** Starts one client; resolves with its latency in ms. */
type Client = (port: number, chunk: Uint8Array) => Promise<number>;

async function runClients(
  p: Params,
  port: number,
  client: Client,
): Promise<Record<string, number>> {
  const chunk = new Uint8Array(CHUNK).fill(0x65);
  const start = now();
  const latencies = await Promise.all(
    Array.from({ length: p.connections }, () => client(port, chunk)),
  );
  const seconds = (now() - start) / 1000;
  return {
    mbps: (p.connections * p.size) / seconds / 1e6,
    p99: percentile(latencies, 99),
  };
}

function rawClient(size: number): Client {
  return (port, chunk) =>
    new Promise<number>((resolve, reject) => {
      const start = now();
      const socket = connect({ host: HOST, port, noDelay: true });
      let received = 0;
      socket.on('error', reject);
      socket.once('connect', () => {
        rawSend(socket, chunk, size, false);
      });
      socket.on('data', (data: Buffer) => {
        received += data.byteLength;
        if (received >= size) {
          resolve(now() - start);
          socket.end();
        }
      });
    });
}

function rawEcho(socket: Socket): void {
  socket.on('data', (data: Buffer) => {
    if (!socket.write(data)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  socket.on('end', () => socket.end());
}

function rawVariant(p: Params): NodeVariant {
  return {
    name: 'raw Node',
    surface: 'raw',
    run: async () => {
      const server = await rawServer(rawEcho, BACKLOG);
      const figures = await runClients(p, server.port, rawClient(p.size));
      await server.close();
      return figures;
    },
  };
}

/** Echo with backpressure: reading pauses while the write buffer is over its high mark. */
class EchoProtocol implements Protocol<SocketTransport> {
  private transport: SocketTransport | null = null;

  connectionMade(transport: SocketTransport): void {
    this.transport = transport;
  }

  dataReceived(data: Uint8Array): void {
    this.transport?.write(data);
  }

  pauseWriting(): void {
    this.transport?.pauseReading();
  }

  resumeWriting(): void {
    this.transport?.resumeReading();
  }
}

/** Writes `size` bytes with flow control and counts the echo. */
class EchoClientProtocol implements Protocol<SocketTransport> {
  private pump: WritePump | null = null;
  private received = 0;
  private transport: SocketTransport | null = null;

  constructor(
    private readonly size: number,
    private readonly chunk: Uint8Array,
    private readonly done: () => void,
  ) {}

  connectionMade(transport: SocketTransport): void {
    this.transport = transport;
    this.pump = new WritePump(
      (c) => {
        transport.write(c);
      },
      this.chunk,
      this.size,
      () => undefined,
    );
    this.pump.run();
  }

  dataReceived(data: Uint8Array): void {
    this.received += data.byteLength;
    if (this.received >= this.size) {
      this.done();
      this.transport?.close();
    }
  }

  pauseWriting(): void {
    this.pump?.pause();
  }

  resumeWriting(): void {
    this.pump?.resume();
  }
}

function rxtransportVariant(p: Params, rx: boolean): NodeVariant {
  const rxClient: Client = async (port, chunk) => {
    const start = now();
    const transport = await createConnection({ host: HOST, port });
    const echoed = deferred<number>();
    let received = 0;
    transport.data$.subscribe((data) => {
      received += data.byteLength;
      if (received >= p.size) {
        echoed.resolve(now() - start);
        transport.close();
      }
    });
    rxSend(transport, chunk, p.size, false);
    return echoed.promise;
  };
  const protocolClient: Client = async (port, chunk) => {
    const start = now();
    const echoed = deferred<number>();
    await createConnection({
      host: HOST,
      port,
      protocol: () =>
        new EchoClientProtocol(p.size, chunk, () => {
          echoed.resolve(now() - start);
        }),
    });
    return echoed.promise;
  };
  return {
    name: rx ? 'rxtransport Rx' : 'rxtransport Protocol',
    surface: rx ? 'rx' : 'protocol',
    run: async () => {
      let server: Server;
      if (rx) {
        server = await createServer({ host: HOST, port: 0, backlog: BACKLOG });
        // The Rx echo with backpressure: pipeline pauses reading while writing is blocked.
        server.connections$.subscribe((conn) => {
          pipeline(conn, conn).subscribe({ error: () => undefined });
        });
      } else {
        server = await createServer({
          host: HOST,
          port: 0,
          backlog: BACKLOG,
          protocol: () => new EchoProtocol(),
        });
      }
      const figures = await runClients(p, portOf(server), rx ? rxClient : protocolClient);
      await closeServer(server);
      return figures;
    },
  };
}

export const w7ManyConnections: Workload = {
  id: 'W7',
  title: 'concurrent connections, each echoing',
  async run(ctx: BenchContext): Promise<WorkloadResult> {
    const p: Params = ctx.quick
      ? { connections: 100, size: 256 * KIB }
      : { connections: 1000, size: 1024 * KIB };
    const variants = [rxtransportVariant(p, true), rxtransportVariant(p, false), rawVariant(p)];
    const results = await runInterleaved(ctx, 'W7', variants, 300_000);
    const python = await runPythonPeer(
      ctx,
      'W7',
      'w7_many_connections.py',
      { connections: p.connections, size: p.size, chunk: CHUNK, backlog: BACKLOG },
      900_000,
    );
    return {
      id: 'W7',
      title: this.title,
      params: `${p.connections} connections at once, each echoing ${p.size / KIB} KiB in ${CHUNK / KIB} KiB writes`,
      metrics: [
        { key: 'mbps', label: 'MB/s', better: 'higher' },
        { key: 'p99', label: 'p99 latency ms', better: 'lower' },
      ],
      baseline: 'raw Node',
      variants: [...results, ...python],
      targets: [
        ...bothSurfaces({ metric: 'mbps', kind: 'ratio', value: 0.9, text: '>= 0.90 of raw Node' }),
      ],
    };
  },
};
