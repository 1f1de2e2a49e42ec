// examples/readmeExamples/04-cold.ts
import { of, switchMap, take } from 'rxjs';
import { createServer, fromConnection, type InetAddress } from '../../src/index.js';
import { lines, utf8Encode } from '../../src/operators/index.js';

async function main(): Promise<void> {
  // A server that greets each client, then sends EOF.
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  server.connections$.subscribe((conn) => {
    of('welcome\n', 'to the server\n').pipe(utf8Encode()).subscribe(conn.sink);
  });
  const { port } = server.address() as InetAddress;

  // Nothing happens until subscribe; unsubscribing (here, by take) closes the connection.
  const greeting$ = fromConnection({ host: '127.0.0.1', port }).pipe(
    switchMap((transport) => transport.data$.pipe(lines())),
    take(1),
  );
  greeting$.subscribe({
    next: (line) => {
      console.log(`first line: ${line}`); // prints: first line: welcome
    },
    complete: () => {
      server.close();
    },
  });
  await server.waitClosed();
}

void main();
