// examples/readmeExamples/19-marbleSlowPeer.ts
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import { marbleTransport } from '../../src/testing/index.js';

new TestScheduler((actual, expected) => {
  assert.deepEqual(actual, expected);
}).run((helpers) => {
  // A peer that reads 4 bytes every 3 frames, with 4 bytes of room between us and it.
  const conn = marbleTransport(helpers, {
    incoming: '-',
    peer: { reads: '--r--r--r', values: { r: 4 }, buffer: 4 },
  });
  conn.setWriteBufferLimits(4, 0);
  conn.write(new TextEncoder().encode('aaaabbbbcccc')); // 8 bytes wait: past the high mark
  helpers.expectObservable(conn.writable$).toBe('f----t', { f: false, t: true });
});
console.log('the slow peer test passed'); // prints: the slow peer test passed
