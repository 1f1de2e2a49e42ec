import { createConnection, createServer, type SocketTransport } from '../../src/index.js';
import { closeServer, HOST, portOf } from '../lib/net.js';
import { runPythonPeer } from '../lib/python.js';
import { rawSend, rxSend } from '../lib/senders.js';
import { CountingProtocol, mbps, SenderProtocol } from '../lib/streamProtocols.js';
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

/**
 * W8: one TLS stream, server to client, in 64 KiB writes; MB/s at the reader, from `connect`
 * (so the handshake included) to the last byte. W1 over TLS 1.3; TLS has no half-close, so the
 * sender just stops and the reader counts to the total.
 */

const CHUNK = 64 * 1024;
const MIB = 1024 * 1024;

function rawVariant(certs: BenchCerts, total: number, chunk: Uint8Array): NodeVariant {
  return {
    name: 'raw Node',
    surface: 'raw',
    run: async () => {
      const server = await rawTlsServer(certs, (socket) => {
        rawSend(socket, chunk, total, false);
      });
      const done = deferred();
      let received = 0;
      const start = now();
      const client = rawTlsConnect(certs, server.port);
      client.on('data', (c: Buffer) => {
        received += c.byteLength;
        if (received >= total) done.resolve();
      });
      client.on('error', done.reject);
      await done.promise;
      const seconds = secondsSince(start);
      client.destroy();
      await server.close();
      return { mbps: mbps(total, seconds) };
    },
  };
}

function rxtransportVariant(
  certs: BenchCerts,
  total: number,
  chunk: Uint8Array,
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
        ...(rx ? {} : { protocol: () => new SenderProtocol(chunk, total) }),
      });
      if (rx) {
        server.connections$.subscribe((conn) => {
          rxSend(conn, chunk, total, false);
        });
      }
      const done = deferred();
      const start = now();
      let client: SocketTransport;
      if (rx) {
        client = await createConnection({
          host: HOST,
          port: portOf(server),
          ...rxClientTls(certs),
        });
        let received = 0;
        client.data$.subscribe({
          next: (data) => {
            received += data.byteLength;
            if (received >= total) done.resolve();
          },
          error: done.reject,
        });
      } else {
        const protocol = new CountingProtocol(total, done.resolve);
        client = await createConnection({
          host: HOST,
          port: portOf(server),
          ...rxClientTls(certs),
          protocol: () => protocol,
        });
      }
      await done.promise;
      const seconds = secondsSince(start);
      client.abort();
      await closeServer(server);
      return { mbps: mbps(total, seconds) };
    },
  };
}

export const w8TlsStream: Workload = {
  id: 'W8',
  title: 'one TLS stream, 64 KiB writes',
  async run(ctx: BenchContext): Promise<WorkloadResult> {
    const total = ctx.quick ? 32 * MIB : 256 * MIB;
    const chunk = new Uint8Array(CHUNK).fill(0x61);
    const certs = benchCerts();
    const variants = [
      rxtransportVariant(certs, total, chunk, true),
      rxtransportVariant(certs, total, chunk, false),
      rawVariant(certs, total, chunk),
    ];
    const results = await runInterleaved(ctx, 'W8', variants, 120_000);
    const python = await runPythonPeer(
      ctx,
      'W8',
      'w1_tcp_stream.py',
      { total, chunk: CHUNK, ...pythonTlsParams(certs) },
      600_000,
    );
    return {
      id: 'W8',
      title: this.title,
      params:
        `${total / MIB} MiB over loopback TLS 1.3 (${CIPHER}) in ${CHUNK / 1024} KiB writes, ` +
        'server to client, the handshake included',
      metrics: [{ key: 'mbps', label: 'MB/s', better: 'higher' }],
      baseline: 'raw Node',
      variants: [...results, ...python],
      targets: [
        ...bothSurfaces({ metric: 'mbps', kind: 'ratio', value: 1.0, text: '>= 1.0 of raw Node' }),
      ],
    };
  },
};
