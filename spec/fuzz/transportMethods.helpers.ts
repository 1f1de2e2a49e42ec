/**
 * Shared by the transport-method bad-input properties (transportMethods.*.property.spec.ts):
 * arbitraries of byte-like values, look-alikes that are not bytes, write arguments and
 * buffer limits; the bytes a write sends; the number of runs; and a connected TCP pair whose
 * server side records what it receives.
 */
import fc from 'fast-check';
import { firstValueFrom } from 'rxjs';
import { createConnection, type SocketTransport } from '../../src/index';
import type { Resources } from '../helpers/resources';
import { startServer } from '../helpers/servers';
import { HOST } from '../helpers/sockets';
import { record, type Recording } from '../helpers/streams';
import { NEAR_MISS_NUMBERS, anything, lookAlikes, oneOfValues } from './badInput';

/** Values that are bytes, of every shape `write` takes. */
export const byteLikes = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    fc.uint8Array({ maxLength: 64 }).map((a) => a.buffer),
    fc.uint8Array({ maxLength: 64 }).map((a) => new DataView(a.buffer)),
    fc.int16Array({ maxLength: 16 }),
    fc.float64Array({ maxLength: 8 }),
    fc.bigInt64Array({ maxLength: 4 }),
    fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.nat())
      .map(([a, i, j]) => a.subarray(i % a.length, (i % a.length) + (j % a.length))),
    fc.uint8Array({ maxLength: 16 }).map((a) => {
      const view = new Uint8Array(new SharedArrayBuffer(a.length));
      view.set(a);
      return view;
    }),
  );

/** Values that look like bytes but are not. */
export const NOT_BYTES: readonly unknown[] = [
  'text',
  '',
  [1, 2, 3],
  { buffer: new ArrayBuffer(2), byteOffset: 0, byteLength: 2 },
  new SharedArrayBuffer(4),
  { length: 2, 0: 1, 1: 2 },
  new Set([1]),
];

export const writeArgs = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: byteLikes() },
    { weight: 1, arbitrary: oneOfValues(NOT_BYTES) },
    { weight: 2, arbitrary: anything() },
  );

/** The bytes a write of `value` sends, as `write` reads them. */
export function bytesOf(value: unknown): Uint8Array {
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
  }
  return new Uint8Array(value as ArrayBuffer).slice();
}

/** Limits near the edges: negative, fractional, huge, missing, and look-alikes. */
export const limitArgs = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.nat({ max: 1 << 20 }),
    oneOfValues(NEAR_MISS_NUMBERS),
    fc.constantFrom(...lookAlikes()),
    anything(),
  );

export const NUM_RUNS = 150;

/** A client connected to a server side that records everything it receives. */
export async function connectedPair(
  resources: Resources,
): Promise<{ client: SocketTransport; received: Recording }> {
  const { server, port } = await startServer(resources);
  const accepted = firstValueFrom(server.connections$);
  const client = resources.transport(await createConnection({ host: HOST, port }));
  const serverSide = await accepted;
  const received = record(serverSide.data$);
  return { client, received };
}
