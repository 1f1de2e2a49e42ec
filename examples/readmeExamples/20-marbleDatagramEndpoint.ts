// examples/readmeExamples/20-marbleDatagramEndpoint.ts
import assert from 'node:assert/strict';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { marbleDatagramEndpoint } from '../../src/testing/index.js';

new TestScheduler((actual, expected) => {
  assert.deepEqual(actual, expected);
}).run((helpers) => {
  const udp = marbleDatagramEndpoint(helpers, { incoming: '-p--p' });
  // The code under test: answers each datagram with "pong", to its sender.
  udp.datagrams$.subscribe(({ addr }) => {
    udp.sendto(new TextEncoder().encode('pong'), addr);
  });
  const sent = udp.sent$.pipe(map(({ data }) => new TextDecoder().decode(data)));
  helpers.expectObservable(sent).toBe('-a--a', { a: 'pong' });
});
console.log('the datagram test passed'); // prints: the datagram test passed
