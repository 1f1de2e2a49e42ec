// examples/readmeExamples/03-backpressure.ts
import { first } from 'rxjs';
import {
  createConnection,
  createServer,
  type InetAddress,
  type SocketTransport,
} from '../../src/index.js';

/** Writes `total` bytes, never letting the transport hold much more than its high water mark. */
async function send(transport: SocketTransport, total: number): Promise<void> {
  const chunk = new Uint8Array(64 * 1024);
  const [, high] = transport.getWriteBufferLimits();
  for (let sent = 0; sent < total; sent += chunk.byteLength) {
    transport.write(chunk);
    if (transport.getWriteBufferSize() > high) await transport.drain(); // down to the low mark
  }
  transport.writeEof();
}

async function main(): Promise<void> {
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  server.connections$.subscribe((conn) => {
    conn.pauseReading(); // a slow reader: it starts reading only 100 ms later
    setTimeout(() => {
      conn.resumeReading();
    }, 100);
    let received = 0;
    conn.data$.subscribe({
      next: (chunk) => (received += chunk.byteLength),
      complete: () => {
        console.log(`received ${received / 2 ** 20} MiB`); // prints: received 32 MiB
        conn.close();
        server.close();
      },
    });
  });

  const { port } = server.address() as InetAddress;
  const client = await createConnection({ host: '127.0.0.1', port });
  // writable$ goes false each time the buffer passes the high water mark; show the first.
  client.writable$.pipe(first((writable) => !writable)).subscribe(() => {
    console.log('writable$: false, the reader is behind'); // prints: writable$: false
  });
  await send(client, 32 * 2 ** 20);
  await server.waitClosed();
}

void main();
