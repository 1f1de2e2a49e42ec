// examples/readmeExamples/15-pipeline.ts
import { last, lastValueFrom, toArray } from 'rxjs';
import { lines, pipeline } from '../../src/operators/index.js';
import { transportPair } from '../../src/testing/index.js';

async function main(): Promise<void> {
  // client <-> [proxyIn  proxy  proxyOut] <-> backend
  const [client, proxyIn] = transportPair();
  const [proxyOut, backend] = transportPair();
  backend.data$.subscribe(backend.sink); // an echo server

  // Each direction moves at its reader's pace, and passes EOF on.
  const upstream = lastValueFrom(pipeline(proxyIn, proxyOut).pipe(last(null, 0)));
  void lastValueFrom(pipeline(proxyOut, proxyIn));

  const replies = lastValueFrom(client.data$.pipe(lines(), toArray()));
  client.write(new TextEncoder().encode('through\nthe proxy\n'));
  client.writeEof();
  console.log(await replies); // prints: [ 'through', 'the proxy' ]
  console.log(`${await upstream} bytes went upstream`); // prints: 18 bytes went upstream
}

void main();
