// examples/readmeExamples/24-marbleWebSocket.ts
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import { marbleWebSocket } from '../../src/testing/index.js';

const scheduler = new TestScheduler((actual, expected) => {
  assert.deepEqual(actual, expected);
});
scheduler.run((helpers) => {
  // The peer sends two pings and closes; our protocol answers each ping with a pong.
  const ws = marbleWebSocket(helpers, { incoming: '-a-a-|', values: { a: 'ping' } });
  ws.messages$.subscribe((message) => {
    if (message === 'ping') ws.sendText('pong');
  });
  helpers.expectObservable(ws.written$).toBe('-p-p-|', { p: 'pong' });
  helpers.expectObservable(ws.closeSent$).toBe('-----(c|)', { c: { code: 1000, reason: '' } });
});
console.log('pong protocol works'); // prints: pong protocol works
