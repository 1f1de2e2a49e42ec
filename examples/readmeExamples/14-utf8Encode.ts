// examples/readmeExamples/14-utf8Encode.ts
import { lastValueFrom, of, toArray } from 'rxjs';
import { lines, utf8Encode } from '../../src/operators/index.js';
import { transportPair } from '../../src/testing/index.js';

async function main(): Promise<void> {
  const [client, server] = transportPair();
  const received = lastValueFrom(server.data$.pipe(lines(), toArray()));
  // A transport's sink takes bytes only: strings go through utf8Encode. Completing the
  // source completes the sink, which sends EOF.
  of('grüße\n', 'ça va\n').pipe(utf8Encode()).subscribe(client.sink);
  console.log((await received).join(' / ')); // prints: grüße / ça va
}

void main();
