/**
 * Shared by the lengthPrefixed decoder specs (lengthPrefixed.*.spec.ts): bytes from numbers, a
 * marble-test scheduler, and a synchronous runner that records the payloads and how it ended.
 */
import { from } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { lengthPrefixed } from '../../src/operators/lengthPrefixed';

/** A Uint8Array of the given byte values. */
export const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/** A TestScheduler that compares with toEqual. */
export function newTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}

/** Runs `chunks` through `operator` synchronously: the payloads, then how it ended. */
export function run(chunks: Uint8Array[], operator: ReturnType<typeof lengthPrefixed>): unknown[] {
  const seen: unknown[] = [];
  from(chunks)
    .pipe(operator)
    .subscribe({
      next: (payload) => seen.push(payload),
      error: (err: unknown) => seen.push({ error: (err as { code?: unknown }).code }),
      complete: () => seen.push('|'),
    });
  return seen;
}
