/**
 * Shared by the factory bad-input properties (factories.*.property.spec.ts): arbitraries of
 * protocol factories, hosts, ports and options objects, the number of runs, and a scratch
 * directory for the sockets, files and fifos a property makes.
 *
 * Safety: hosts are loopback or names that cannot resolve; ports are the caller's good ones,
 * near misses, or invalid.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST } from '../helpers/sockets';
import {
  NEAR_MISS_NUMBERS,
  USER_ERROR,
  anything,
  anythingButStrings,
  lookAlikes,
  oneOfValues,
} from './badInput';

/** Protocol factories, well-behaved or not. */
export const protocolFactories = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 1, arbitrary: anything() },
    {
      weight: 4,
      arbitrary: fc.constantFrom<unknown>(
        undefined,
        () => ({}),
        () => undefined,
        () => null,
        () => 5,
        () => 'protocol',
        () => true,
        () => Symbol('protocol'),
        () => Object.create(null) as object,
        () => ({ connectionMade: 5, dataReceived: 'not a function' }),
        () => {
          throw USER_ERROR;
        },
      ),
    },
  );

/** Hosts that stay on this machine or cannot resolve, plus look-alikes. */
const HOSTS: readonly unknown[] = [
  HOST,
  'localhost',
  '::1',
  '0.0.0.0',
  '',
  'nonexistent.invalid',
  '\0',
  'a'.repeat(300),
  '[::1]',
  '127.0.0.1:80',
  127,
];
export const hosts = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(HOST, 'localhost') },
    { weight: 2, arbitrary: oneOfValues(HOSTS) },
    { weight: 1, arbitrary: fc.constantFrom(...lookAlikes()) },
    // Strings only from the list: a random one would be a DNS query, slow on some networks.
    { weight: 1, arbitrary: anythingButStrings() },
  );

/** Ports: near misses, look-alikes, anything, and the given good ones. */
export const ports = (...good: number[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: oneOfValues(good) },
    { weight: 2, arbitrary: oneOfValues(NEAR_MISS_NUMBERS) },
    { weight: 1, arbitrary: fc.constantFrom(...lookAlikes()) },
    { weight: 1, arbitrary: anything() },
  );

/** An options object: anything, or a record of the given fields (each one optional). */
export function options(
  fields: Record<string, fc.Arbitrary<unknown>>,
  required: readonly string[] = [],
): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: anything() },
    { weight: 2, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    { weight: 3, arbitrary: fc.record(fields, { requiredKeys: required as never[] }) },
  );
}

export const NUM_RUNS = 150;

/**
 * A fresh directory made before the tests of the enclosing `describe` and removed after them;
 * the returned function gives its path (inside tests, and functions they call).
 */
export function useScratchDir(): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxt-fuzz-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
