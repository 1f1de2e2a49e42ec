import {
  createConnection,
  createServer,
  type Protocol,
  type SocketTransport,
} from '../../src/index.js';
import { closeServer, HOST, portOf } from '../lib/net.js';
import { runPythonPeer } from '../lib/python.js';
import { deferred, now, secondsSince } from '../lib/timing.js';
import type { BenchContext, Workload, WorkloadResult } from '../lib/types.js';
import { bothSurfaces } from '../lib/targets.js';
import { runInterleaved, type NodeVariant } from '../lib/variants.js';
import { benchCerts } from '../lib/tls.js';
import { tcpWire, tlsWire, type Wire } from '../lib/wire.js';

/**
 * W2: ping-pong of 64-byte messages on one connection; round trips per second. W9 is the same
 * over TLS.
 */

const SIZE = 64;

/**
 * Counts echoed bytes; each full message is a round trip, answered with the next ping until
 * `trips` are done. Bytes, not chunks, are counted, so a split message still counts once.
 */
class PingCounter {
  private pending = 0;
  private trips = 0;

  constructor(
    private readonly total: number,
    private readonly ping: () => void,
    private readonly done: () => void,
  ) {}

  received(bytes: number): void {
    this.pending += bytes;
    while (this.pending >= SIZE) {
      this.pending -= SIZE;
      this.trips += 1;
      if (this.trips === this.total) this.done();
      else if (this.trips < this.total) this.ping();
    }
  }
}

class EchoProtocol implements Protocol<SocketTransport> {
  private transport: SocketTransport | null = null;

  connectionMade(transport: SocketTransport): void {
    this.transport = transport;
  }

  dataReceived(data: Uint8Array): void {
    this.transport?.write(data);
  }
}

class PingProtocol implements Protocol<SocketTransport> {
  counter: PingCounter | null = null;

  dataReceived(data: Uint8Array): void {
    this.counter?.received(data.byteLength);
  }
}

function rawVariant(wire: Wire, trips: number, message: Uint8Array): NodeVariant {
  return {
    name: 'raw Node',
    surface: 'raw',
    run: async () => {
      const server = await wire.rawServer((socket) => {
        socket.on('data', (chunk: Buffer) => socket.write(chunk));
      });
      const client = await wire.rawConnect(server.port);
      const done = deferred();
      const counter = new PingCounter(trips, () => client.write(message), done.resolve);
      client.on('data', (chunk: Buffer) => {
        counter.received(chunk.byteLength);
      });
      const start = now();
      client.write(message);
      await done.promise;
      const seconds = secondsSince(start);
      client.destroy();
      await server.close();
      return { rtps: trips / seconds };
    },
  };
}

function rxtransportVariant(
  wire: Wire,
  trips: number,
  message: Uint8Array,
  rx: boolean,
): NodeVariant {
  return {
    name: rx ? 'rxtransport Rx' : 'rxtransport Protocol',
    surface: rx ? 'rx' : 'protocol',
    run: async () => {
      const server = await createServer({
        host: HOST,
        port: 0,
        ...wire.serverOptions,
        ...(rx ? {} : { protocol: () => new EchoProtocol() }),
      });
      if (rx) {
        // The Rx echo: what arrives goes straight back out.
        server.connections$.subscribe((conn) => conn.data$.subscribe(conn.sink));
      }
      const done = deferred();
      let client: SocketTransport;
      let counter: PingCounter;
      if (rx) {
        client = await createConnection({
          host: HOST,
          port: portOf(server),
          ...wire.clientOptions,
        });
        const sink = client.sink;
        counter = new PingCounter(
          trips,
          () => {
            sink.next(message);
          },
          done.resolve,
        );
        client.data$.subscribe((chunk) => {
          counter.received(chunk.byteLength);
        });
      } else {
        const protocol = new PingProtocol();
        client = await createConnection({
          host: HOST,
          port: portOf(server),
          ...wire.clientOptions,
          protocol: () => protocol,
        });
        const transport = client;
        counter = new PingCounter(
          trips,
          () => {
            transport.write(message);
          },
          done.resolve,
        );
        protocol.counter = counter;
      }
      const start = now();
      if (rx) client.sink.next(message);
      else client.write(message);
      await done.promise;
      const seconds = secondsSince(start);
      client.abort();
      await closeServer(server);
      return { rtps: trips / seconds };
    },
  };
}

/** A ping-pong workload over `wire`. */
function pingPong(spec: {
  readonly id: string;
  readonly title: string;
  readonly script: string;
  readonly wire: () => Wire;
  readonly target: number;
}): Workload {
  return {
    id: spec.id,
    title: spec.title,
    async run(ctx: BenchContext): Promise<WorkloadResult> {
      const wire = spec.wire();
      const trips = ctx.quick ? 5_000 : 100_000;
      const message = new Uint8Array(SIZE).fill(0x70);
      const variants = [
        rxtransportVariant(wire, trips, message, true),
        rxtransportVariant(wire, trips, message, false),
        rawVariant(wire, trips, message),
      ];
      const results = await runInterleaved(ctx, spec.id, variants, 120_000);
      const python = await runPythonPeer(
        ctx,
        spec.id,
        spec.script,
        { trips, size: SIZE, ...wire.pythonParams },
        600_000,
      );
      const target = spec.target.toFixed(2);
      return {
        id: spec.id,
        title: spec.title,
        params: `${trips.toLocaleString('en')} round trips of ${SIZE} bytes on one ${wire.connection}`,
        metrics: [{ key: 'rtps', label: 'round trips/s', better: 'higher' }],
        baseline: 'raw Node',
        variants: [...results, ...python],
        targets: [
          ...bothSurfaces({
            metric: 'rtps',
            kind: 'ratio',
            value: spec.target,
            text: `>= ${target} of raw Node`,
          }),
        ],
      };
    },
  };
}

export const w2PingPong: Workload = pingPong({
  id: 'W2',
  title: 'ping-pong, 64-byte messages',
  script: 'w2_ping_pong.py',
  wire: () => tcpWire,
  target: 0.9,
});

/** W9: W2 over TLS. */
export const w9TlsPingPong: Workload = pingPong({
  id: 'W9',
  title: 'TLS ping-pong, 64-byte messages',
  script: 'w2_ping_pong.py',
  wire: () => tlsWire(benchCerts()),
  target: 1.0,
});
