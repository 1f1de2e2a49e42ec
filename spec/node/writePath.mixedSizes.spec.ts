/**
 * Writes of every size, mixed in one turn and across turns, on real sockets and a child's
 * stdin: small ones are gathered, large ones go straight to the kernel, what the kernel refuses
 * is copied and queued. The peer must see every byte, in order, while the writer reuses and
 * scribbles over its buffers right after each write().
 */
import fc from 'fast-check';
import { createConnection, type SocketTransport } from '../../src/index';
import type { WritePipeTransport } from '../../src/core/transports';
import { sha256 } from '../helpers/bytes';
import { readAll, startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { HOST } from '../helpers/sockets';
import { turns } from '../helpers/waits';
import { trackedExec } from '../helpers/trackedExec';
import { useLeakCheck } from '../helpers/leaks';

/** Sizes around the small-write limit (16 KiB), the gather buffer (64 KiB) and beyond. */
const size = fc.oneof(
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 16 * 1024 - 2, max: 16 * 1024 + 2 }),
  fc.integer({ min: 60 * 1024, max: 70 * 1024 }),
  fc.integer({ min: 100 * 1024, max: 300 * 1024 }),
);
/** Turns of writes: each inner array is written in one turn. */
const plan = fc.array(fc.array(size, { minLength: 1, maxLength: 12 }), {
  minLength: 1,
  maxLength: 8,
});

/**
 * Writes `turnsOfSizes` through `write` from one scratch buffer that is overwritten right
 * after each call; returns the bytes that must arrive.
 */
async function writeFromScratch(
  turnsOfSizes: readonly (readonly number[])[],
  write: (data: Uint8Array) => void,
): Promise<Buffer> {
  const scratch = new Uint8Array(300 * 1024);
  const expected: Buffer[] = [];
  let counter = 0;
  for (const sizes of turnsOfSizes) {
    for (const n of sizes) {
      const view = scratch.subarray(0, n);
      for (let i = 0; i < n; i += 1) view[i] = (counter + i * 7) & 0xff;
      counter += 1;
      expected.push(Buffer.from(view));
      write(view);
      view.fill(0xee); // the caller reuses its buffer at once
    }
    await turns(1);
  }
  return Buffer.concat(expected);
}

describe('the write path with mixed sizes, on real I/O', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const exec = trackedExec(resources);

  it('delivers every byte in order over TCP, the reader slow or not', async () => {
    await fc.assert(
      fc.asyncProperty(plan, fc.boolean(), async (turnsOfSizes, slowReader) => {
        const raw = await startRawServer(resources);
        const client: SocketTransport = resources.transport(
          await createConnection({ host: HOST, port: raw.port }),
        );
        const peer = await raw.firstSocket;
        if (slowReader) peer.pause();
        const receipt = readAll(peer);
        const expected = await writeFromScratch(turnsOfSizes, (data) => {
          client.write(data);
        });
        client.writeEof();
        if (slowReader) setTimeout(() => peer.resume(), 20);
        const { data, ending } = await receipt;
        expect(ending).toBe('end');
        expect(data.byteLength).toBe(expected.byteLength);
        expect(sha256(data)).toBe(sha256(expected));
        client.close();
      }),
      { numRuns: 15 },
    );
  });

  it("delivers every byte in order through a child's stdin", async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (turnsOfSizes) => {
        const child = await exec('cat');
        const stdin = child.stdin as WritePipeTransport;
        const out: Uint8Array[] = [];
        const done = new Promise<void>((resolve, reject) => {
          child.data$.subscribe({
            next: (chunk) => out.push(chunk),
            error: reject,
            complete: resolve,
          });
        });
        const expected = await writeFromScratch(turnsOfSizes, (data) => {
          stdin.write(data);
        });
        stdin.writeEof();
        await done;
        expect(sha256(Buffer.concat(out))).toBe(sha256(expected));
        child.close();
      }),
      { numRuns: 10 },
    );
  });
});
