/**
 * rxtransport in one run (`npm run demo`): a TCP echo server and its client on 127.0.0.1,
 * showing `data$` and `sink`, line framing, backpressure and half-close, step by step. The
 * server runs the line protocol of `examples/pipelines/lineServer.ts`, the code that the marble
 * suite tests (`marbles/lineProtocol.marbles.spec.ts`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom, lastValueFrom, take, takeWhile, tap, toArray } from 'rxjs';
import {
  createConnection,
  createServer,
  type InetAddress,
  type SocketTransport,
} from '../src/index.js';
import { lines } from '../src/operators/lines.js';
import { serveLines, upperCase } from './pipelines/lineServer.js';

const encoder = new TextEncoder();
const MiB = 1024 * 1024;
const TOTAL = 16 * MiB;
const kib = (bytes: number): string => `${Math.round(bytes / 1024)} KiB`;
const log = (who: 'server' | 'client', text: string): void => {
  console.log(`  [${who}] ${text}`);
};
const step = (title: string): void => {
  console.log(`\n${title}`);
};

async function main(): Promise<void> {
  step('1. A server that echoes each line upper-cased');
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  const { port } = server.address() as InetAddress;
  log('server', `listening on 127.0.0.1:${port}`);
  const accepted = new Promise<SocketTransport>((resolve) => {
    server.connections$.subscribe((conn) => {
      const peer = conn.getExtraInfo('peername') as InetAddress;
      log('server', `connection from ${peer.host}:${peer.port}`);
      // bytes -> lines -> upper-cased lines -> bytes, written back; the pipeline of
      // examples/pipelines/lineServer.ts, tested in marbles/lineProtocol.marbles.spec.ts
      serveLines(conn, upperCase);
      resolve(conn);
    });
  });

  step('2. The client writes three lines, in pieces that cut through them');
  const client = await createConnection({ host: '127.0.0.1', port });
  const conn = await accepted;
  const replies = lastValueFrom(client.data$.pipe(lines(), take(3), toArray()));
  for (const piece of ['hel', 'lo\nrx', 'js\nasyncio\n']) {
    log('client', `write(${JSON.stringify(piece)})`);
    client.write(encoder.encode(piece));
  }
  for (const line of await replies) log('client', `got "${line}"`);

  step(`3. Backpressure: the client stops reading while the server writes ${TOTAL / MiB} MiB`);
  client.pauseReading();
  log('client', `pauseReading(); isReading() = ${client.isReading()}`);
  const [low, high] = conn.getWriteBufferLimits();
  log('server', `write buffer water marks: low ${kib(low)}, high ${kib(high)}`);
  conn.writable$.pipe(take(3)).subscribe((ok) => {
    log('server', `writable$ emits ${ok}`);
  });
  let waits = 0;
  const writer = (async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x2e);
    for (let sent = chunk.byteLength; sent <= TOTAL; sent += chunk.byteLength) {
      conn.write(chunk);
      if (conn.getWriteBufferSize() <= high) continue;
      if (waits++ === 0) {
        log('server', `${kib(sent)} written: the kernel's buffers are full and`);
        log('server', `${kib(conn.getWriteBufferSize())} wait in ours, above high: await drain()`);
      }
      await conn.drain();
    }
  })();
  await sleep(200);
  log('server', `200 ms later: still ${kib(conn.getWriteBufferSize())} held, nothing lost`);
  let received = 0;
  const allReceived = lastValueFrom(
    client.data$.pipe(
      tap((chunk) => (received += chunk.byteLength)),
      takeWhile(() => received < TOTAL, true),
    ),
  );
  client.resumeReading();
  log('client', 'resumeReading()');
  await writer;
  log('server', `all ${TOTAL / MiB} MiB written (drain() awaited ${waits}×)`);
  await allReceived;
  log('client', `received ${kib(received)}`);

  step('4. Half-close: the client sends EOF; the server answers, then sends its own');
  client.closed$.subscribe((exc) => {
    log('client', `closed$ emits ${String(exc)}`);
  });
  conn.closed$.subscribe((exc) => {
    log('server', `closed$ emits ${String(exc)}`);
  });
  const lastReplies = lastValueFrom(client.data$.pipe(lines(), toArray()));
  client.write(encoder.encode('goodbye\n'));
  client.sink.complete();
  log('client', 'wrote "goodbye", then sink.complete() (writeEof)');
  log('client', `got ${JSON.stringify(await lastReplies)}, then EOF (data$ completed)`);
  await Promise.all([firstValueFrom(client.closed$), firstValueFrom(conn.closed$)]);

  server.close();
  await server.waitClosed();
  log('server', 'closed; nothing left open, so the process ends by itself');
}

// A safety net only: everything above closes, and the demo never needs it.
setTimeout(() => {
  console.error('demo: timed out');
  process.exit(1);
}, 20_000).unref();

main().catch((error: unknown) => {
  console.error('demo failed:', error);
  process.exitCode = 1;
});
