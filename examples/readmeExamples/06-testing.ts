// examples/readmeExamples/06-testing.ts
import assert from 'node:assert/strict';
import { lastValueFrom, map, toArray } from 'rxjs';
import type { SocketTransport } from '../../src/index.js';
import { lines, utf8Encode } from '../../src/operators/index.js';
import { transportPair } from '../../src/testing/index.js';

/** The code under test: answers each line upper-cased. */
function serveUpperCase(conn: SocketTransport): void {
  conn.data$
    .pipe(
      lines(),
      map((line) => `${line.toUpperCase()}\n`),
      utf8Encode(),
    )
    .subscribe(conn.sink);
}

async function main(): Promise<void> {
  const [client, server] = transportPair(); // connected, in memory, real water marks
  serveUpperCase(server);
  const replies = lastValueFrom(client.data$.pipe(lines(), toArray()));
  client.write(new TextEncoder().encode('ping\npong\n'));
  client.writeEof();
  assert.deepEqual(await replies, ['PING', 'PONG']);
  console.log('serveUpperCase works'); // prints: serveUpperCase works
}

void main();
