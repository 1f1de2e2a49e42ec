// examples/readmeExamples/17-mapWithBackpressure.ts
import { lastValueFrom, map, timer, toArray } from 'rxjs';
import { mapWithBackpressure } from '../../src/operators/index.js';
import { transportPair } from '../../src/testing/index.js';

async function main(): Promise<void> {
  const [client, server] = transportPair();
  let running = 0;
  let mostAtOnce = 0;
  // "Store" each chunk in 10 ms, two at once; reading pauses while 4 chunks are counted.
  const stored = server.data$.pipe(
    mapWithBackpressure(
      server,
      (chunk) => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        return timer(10).pipe(
          map(() => {
            running -= 1;
            return new TextDecoder().decode(chunk);
          }),
        );
      },
      { concurrency: 2, highWaterMark: 4 },
    ),
    toArray(),
  );
  const result = lastValueFrom(stored);
  for (const name of 'abcdefgh') {
    client.write(new TextEncoder().encode(name));
    // Writes made in one turn leave together: one letter per turn is one chunk each.
    await new Promise((resolve) => setImmediate(resolve));
  }
  client.writeEof();
  console.log(`stored in order: ${(await result).join(' ')}`); // prints: stored in order: a b c d e f g h
  console.log(`at most ${mostAtOnce} at once`); // prints: at most 2 at once
}

void main();
