// examples/readmeExamples/18-marbleTransport.ts
import assert from 'node:assert/strict';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { lines, utf8Encode } from '../../src/operators/index.js';
import { marbleTransport } from '../../src/testing/index.js';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const testScheduler = new TestScheduler((actual, expected) => {
  assert.deepEqual(actual, expected);
});

testScheduler.run((helpers) => {
  const { cold, expectObservable, expectSubscriptions } = helpers;
  // The peer's chunks, cut anywhere; `|` is its EOF.
  const conn = marbleTransport(helpers, {
    incoming: '-a-b---c-|',
    values: { a: 'he', b: 'llo\nwor', c: 'ld\n' },
  });
  // The code under test: an upper-casing line echo.
  conn.data$
    .pipe(
      lines(),
      map((line) => `${line.toUpperCase()}\n`),
      utf8Encode(),
    )
    .subscribe(conn.sink);
  // Reading paused from frame 4 to 8: c, sent at 7, is held back until 8.
  const control = cold('----p---r', { p: 'pause', r: 'resume' });
  control.subscribe((command) => {
    if (command === 'pause') conn.pauseReading();
    else conn.resumeReading();
  });

  expectObservable(conn.written$.pipe(map(decode))).toBe('---x----y|', {
    x: 'HELLO\n',
    y: 'WORLD\n',
  });
  expectSubscriptions(control.subscriptions).toBe('^');
});
console.log('the marble test passed'); // prints: the marble test passed
