// examples/readmeExamples/01-echo.ts
import { lastValueFrom, map, toArray } from 'rxjs';
import { createConnection, createServer, type InetAddress } from '../../src/index.js';
import { lines, utf8Encode } from '../../src/operators/index.js';

async function main(): Promise<void> {
  // A server that answers each line upper-cased.
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  server.connections$.subscribe((conn) => {
    conn.data$
      .pipe(
        lines(),
        map((line) => `${line.toUpperCase()}\n`),
        utf8Encode(),
      )
      .subscribe(conn.sink); // the peer's EOF completes data$; the sink then sends ours
  });

  const { port } = server.address() as InetAddress;
  const client = await createConnection({ host: '127.0.0.1', port });
  const replies = lastValueFrom(client.data$.pipe(lines(), toArray()));
  client.write(new TextEncoder().encode('hello\nworld\n'));
  client.writeEof(); // half-close: nothing more from us, but we keep reading
  console.log(await replies); // prints: [ 'HELLO', 'WORLD' ]

  server.close();
  await server.waitClosed();
}

void main();
