import {
  createConnection,
  createServer,
  type Protocol,
  type SocketTransport,
} from '../../src/index.js';
import { closeServer, HOST, portOf } from '../lib/net.js';
import { runPythonPeer } from '../lib/python.js';
import { deferred, now, secondsSince } from '../lib/timing.js';
import {
  benchCerts,
  CIPHER,
  pythonTlsParams,
  rawTlsConnect,
  rawTlsServer,
  rxClientTls,
  rxServerTls,
  type BenchCerts,
} from '../lib/tls.js';
import type { BenchContext, Workload, WorkloadResult } from '../lib/types.js';
import { bothSurfaces } from '../lib/targets.js';
import { runInterleaved, type NodeVariant } from '../lib/variants.js';

/** W9: ping-pong of 64-byte messages on one TLS connection; round trips per second (W2 over TLS). */

const SIZE = 64;

/** Counts echoed bytes; each full message is a round trip, answered with the next ping. */
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

function rawVariant(certs: BenchCerts, trips: number, message: Uint8Array): NodeVariant {
  return {
    name: 'raw Node',
    surface: 'raw',
    run: async () => {
      const server = await rawTlsServer(certs, (socket) => {
        socket.on('data', (chunk: Buffer) => socket.write(chunk));
      });
      const client = rawTlsConnect(certs, server.port);
      await new Promise((resolve, reject) => {
        client.once('secureConnect', resolve);
        client.once('error', reject);
      });
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
  certs: BenchCerts,
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
        ...rxServerTls(certs),
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
          ...rxClientTls(certs),
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
          ...rxClientTls(certs),
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

export const w9TlsPingPong: Workload = {
  id: 'W9',
  title: 'TLS ping-pong, 64-byte messages',
  async run(ctx: BenchContext): Promise<WorkloadResult> {
    const trips = ctx.quick ? 5_000 : 100_000;
    const message = new Uint8Array(SIZE).fill(0x70);
    const certs = benchCerts();
    const variants = [
      rxtransportVariant(certs, trips, message, true),
      rxtransportVariant(certs, trips, message, false),
      rawVariant(certs, trips, message),
    ];
    const results = await runInterleaved(ctx, 'W9', variants, 120_000);
    const python = await runPythonPeer(
      ctx,
      'W9',
      'w9_tls_ping_pong.py',
      { trips, size: SIZE, ...pythonTlsParams(certs) },
      600_000,
    );
    return {
      id: 'W9',
      title: this.title,
      params:
        `${trips.toLocaleString('en')} round trips of ${SIZE} bytes on one loopback TLS 1.3 ` +
        `connection (${CIPHER}), after the handshake`,
      metrics: [{ key: 'rtps', label: 'round trips/s', better: 'higher' }],
      baseline: 'raw Node',
      variants: [...results, ...python],
      targets: [
        ...bothSurfaces({ metric: 'rtps', kind: 'ratio', value: 1.0, text: '>= 1.0 of raw Node' }),
      ],
    };
  },
};
