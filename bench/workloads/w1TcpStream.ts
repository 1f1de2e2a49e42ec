import { connect } from 'node:net';
import { createConnection, createServer, type SocketTransport } from '../../src/index.js';
import { closeServer, HOST, portOf, rawServer } from '../lib/net.js';
import { runPythonPeer } from '../lib/python.js';
import { rawSend, rxSend } from '../lib/senders.js';
import {
  CountingBufferedProtocol,
  CountingProtocol,
  mbps,
  READ_BUFFER,
  SenderProtocol,
} from '../lib/streamProtocols.js';
import { deferred, now, secondsSince } from '../lib/timing.js';
import type { BenchContext, Workload, WorkloadResult } from '../lib/types.js';
import { bothSurfaces } from '../lib/targets.js';
import { runInterleaved, type NodeVariant } from '../lib/variants.js';

/** W1: one TCP stream, server to client, in 64 KiB writes; MB/s at the reader. */

const CHUNK = 64 * 1024;
/** The reused read buffer of the BufferedProtocol and onread readers (asyncio reads 256 KiB). */
const MIB = 1024 * 1024;

function rawVariant(total: number, chunk: Uint8Array, onread: boolean): NodeVariant {
  return {
    name: onread ? 'raw Node (onread)' : 'raw Node',
    surface: 'raw',
    run: async () => {
      const server = await rawServer((socket) => {
        rawSend(socket, chunk, total);
      });
      const done = deferred();
      let received = 0;
      const count = (n: number): void => {
        received += n;
        if (received >= total) done.resolve();
      };
      const start = now();
      const client = onread
        ? connect({
            host: HOST,
            port: server.port,
            noDelay: true,
            onread: {
              buffer: Buffer.allocUnsafe(READ_BUFFER),
              callback: (n: number) => {
                count(n);
                return true;
              },
            },
          })
        : connect({ host: HOST, port: server.port, noDelay: true });
      if (!onread)
        client.on('data', (c: Buffer) => {
          count(c.byteLength);
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
  total: number,
  chunk: Uint8Array,
  surface: 'rx' | 'protocol' | 'buffered',
): NodeVariant {
  const names = {
    rx: 'rxtransport Rx',
    protocol: 'rxtransport Protocol',
    buffered: 'rxtransport BufferedProtocol',
  };
  return {
    name: names[surface],
    surface,
    run: async () => {
      const server = await createServer({
        host: HOST,
        port: 0,
        ...(surface === 'rx' ? {} : { protocol: () => new SenderProtocol(chunk, total) }),
      });
      if (surface === 'rx') {
        server.connections$.subscribe((conn) => {
          rxSend(conn, chunk, total);
        });
      }
      const done = deferred();
      const start = now();
      let client: SocketTransport;
      if (surface === 'rx') {
        client = await createConnection({ host: HOST, port: portOf(server) });
        let received = 0;
        client.data$.subscribe({
          next: (data) => {
            received += data.byteLength;
            if (received >= total) done.resolve();
          },
          error: done.reject,
        });
      } else {
        const protocol =
          surface === 'protocol'
            ? new CountingProtocol(total, done.resolve)
            : new CountingBufferedProtocol(total, done.resolve);
        client = await createConnection({
          host: HOST,
          port: portOf(server),
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

export const w1TcpStream: Workload = {
  id: 'W1',
  title: 'one TCP stream, 64 KiB writes',
  async run(ctx: BenchContext): Promise<WorkloadResult> {
    const total = ctx.quick ? 32 * MIB : 1024 * MIB;
    const chunk = new Uint8Array(CHUNK).fill(0x61);
    const variants = [
      rxtransportVariant(total, chunk, 'rx'),
      rxtransportVariant(total, chunk, 'protocol'),
      rxtransportVariant(total, chunk, 'buffered'),
      rawVariant(total, chunk, false),
      rawVariant(total, chunk, true),
    ];
    const results = await runInterleaved(ctx, 'W1', variants, 120_000);
    const python = await runPythonPeer(
      ctx,
      'W1',
      'w1_tcp_stream.py',
      { total, chunk: CHUNK },
      600_000,
    );
    return {
      id: 'W1',
      title: this.title,
      params: `${total / MIB} MiB over loopback in ${CHUNK / 1024} KiB writes, server to client`,
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
        {
          variant: 'rxtransport BufferedProtocol',
          metric: 'mbps',
          kind: 'ratio',
          value: 1.0,
          text: '>= 1.0 of raw Node',
        },
      ],
    };
  },
};
