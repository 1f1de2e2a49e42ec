// examples/readmeExamples/16-pauseWhile.ts
import { BehaviorSubject } from 'rxjs';
import { lines, pauseWhile } from '../../src/operators/index.js';
import { transportPair } from '../../src/testing/index.js';

const [client, server] = transportPair();
const busy$ = new BehaviorSubject(true); // say, until a database is ready
const subscription = pauseWhile(server, busy$);
server.data$.pipe(lines()).subscribe({
  next: (line) => {
    console.log(`read ${line} (busy: ${busy$.value})`);
  },
  complete: () => {
    subscription.unsubscribe();
  },
});

client.write(new TextEncoder().encode('one\ntwo\n'));
client.writeEof();
setTimeout(() => {
  console.log('ready');
  busy$.next(false); // reading resumes; nothing was lost meanwhile
}, 50);
// prints: ready
// prints: read one (busy: false)
// prints: read two (busy: false)
