/**
 * Shared by the cold-unsubscribe fault specs (coldUnsubscribe.*.spec.ts): the turns of the loop
 * to wait before an early unsubscribe, a recording subscriber to a cold form, and finding a child
 * by its command line.
 */
import { execFileSync } from 'node:child_process';
import type { Observable, Subscription } from 'rxjs';
import type { Resources } from '../helpers/resources';

/** Turns of the event loop to wait before unsubscribing, to hit each step of the opening. */
export const EARLY_TURNS = [0, 1, 2, 3, 4, 6, 8];

/** What a subscription to a cold form saw. */
export interface Observed<T> {
  readonly values: T[];
  ending: 'complete' | 'error' | null;
  error: unknown;
  readonly subscription: Subscription;
  /** The first value. */
  readonly first: Promise<T>;
}

/** Subscribes to `source$`, recording; the subscription is ended after the test. */
export function observe<T>(resources: Resources, source$: Observable<T>): Observed<T> {
  let emit!: (value: T) => void;
  const first = new Promise<T>((resolve) => (emit = resolve));
  const observed: Observed<T> = {
    values: [],
    ending: null,
    error: undefined,
    first,
    subscription: source$.subscribe({
      next: (value) => {
        observed.values.push(value);
        emit(value);
      },
      error: (error: unknown) => {
        observed.ending = 'error';
        observed.error = error;
      },
      complete: () => {
        observed.ending = 'complete';
      },
    }),
  };
  resources.defer(() => {
    observed.subscription.unsubscribe();
  });
  return observed;
}

/** Processes whose command line contains `marker` (pgrep -f). */
export function processesWith(marker: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

let markerCounter = 0;
/** A `sleep` duration unique to this test, to find its process by command line. */
export function uniqueSleep(): string {
  markerCounter += 1;
  return `3${process.pid % 1000}.${markerCounter}${Date.now() % 100000}`;
}
