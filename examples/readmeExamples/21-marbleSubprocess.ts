// examples/readmeExamples/21-marbleSubprocess.ts
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import { lines } from '../../src/operators/index.js';
import { marbleSubprocess } from '../../src/testing/index.js';

new TestScheduler((actual, expected) => {
  assert.deepEqual(actual, expected);
}).run((helpers) => {
  // A child that prints two lines in three pieces, then is killed by SIGKILL.
  const child = marbleSubprocess(helpers, {
    stdout: '-a-b-c',
    exit: '------k',
    values: { a: 'hel', b: 'lo\nbye', c: '\n', k: -9 },
  });
  helpers.expectObservable(child.data$.pipe(lines())).toBe('---h-b|', { h: 'hello', b: 'bye' });
  helpers.expectObservable(child.exit$).toBe('------(k|)', { k: -9 });
});
console.log('the subprocess test passed'); // prints: the subprocess test passed
