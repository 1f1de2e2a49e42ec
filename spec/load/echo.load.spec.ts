/**
 * Load: 1,000 clients connected at once to one `createServer`, each echoing 1 MiB of its own
 * pattern payload through the server (`pipeline(client, client)`), every byte checked by digest.
 */
import { spawnSync } from 'node:child_process';
import { createConnection, type SocketTransport } from '../../src/index';
import { pipeline } from '../../src/operators';
import { Hasher, patternChunk, patternDigest } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { KiB, MiB } from '../helpers/bytes';
import { useResources } from '../helpers/resources';
import { startServer } from '../helpers/servers';
import { HOST, netHandleCount } from '../helpers/sockets';
import { waitFor } from '../helpers/waits';

const WANTED_CLIENTS = 1_000;
const PAYLOAD = MiB;
const CHUNK = 64 * KiB;

/** The soft limit on open file descriptors (`ulimit -n`), as a child inherits it. */
function fdLimit(): number {
  const result = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const limit = Number(result.stdout.trim());
  return Number.isFinite(limit) && limit > 0 ? limit : Number.POSITIVE_INFINITY;
}

/** Writes `size` bytes of pattern `seed`, waiting for `drain()` above the high water mark. */
async function writePattern(client: SocketTransport, size: number, seed: number): Promise<void> {
  const [, high] = client.getWriteBufferLimits();
  for (let offset = 0; offset < size; offset += CHUNK) {
    client.write(patternChunk(offset, Math.min(CHUNK, size - offset), seed));
    if (client.getWriteBufferSize() > high) await client.drain();
  }
  client.writeEof();
}

/** Digest of everything `data$` carries until it completes. */
function digestOf(client: SocketTransport): Promise<{ bytes: number; digest: string }> {
  return new Promise((resolve, reject) => {
    const hasher = new Hasher();
    client.data$.subscribe({
      next: (chunk) => {
        hasher.update(chunk);
      },
      error: reject,
      complete: () => {
        resolve({ bytes: hasher.bytes, digest: hasher.digest() });
      },
    });
  });
}

describe('createServer under load', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 20_000 });

  it('echoes 1 MiB to each of 1,000 concurrent clients, every byte checked', async () => {
    // Each client costs two descriptors here (its socket and the accepted one).
    const limit = fdLimit();
    const count = Math.min(WANTED_CLIENTS, Math.floor((limit - 256) / 2));
    console.log(
      `echo load: ulimit -n ${limit}; ${count} concurrent clients x ${PAYLOAD / MiB} MiB` +
        (count < WANTED_CLIENTS ? ` (fewer than ${WANTED_CLIENTS}: descriptor limit)` : ''),
    );
    expect(count).toBeGreaterThanOrEqual(100);
    const started = Date.now();

    const { server, port } = await startServer(resources, { backlog: 2048 });
    let open = 0;
    let peak = 0;
    const serverErrors: unknown[] = [];
    server.connections$.subscribe((connection) => {
      open += 1;
      peak = Math.max(peak, open);
      connection.closed$.subscribe(() => (open -= 1));
      pipeline(connection, connection).subscribe({
        error: (error: unknown) => serverErrors.push(error),
      });
    });

    const baseHandles = netHandleCount();
    const clients = await Promise.all(
      Array.from({ length: count }, async () =>
        resources.transport(await createConnection({ host: HOST, port })),
      ),
    );
    // Every connection is held at once before any byte moves.
    await waitFor(() => open === count, `${count} accepted connections`, 20_000);
    expect(netHandleCount() - baseHandles).toBeGreaterThanOrEqual(2 * count);
    const connectedAt = Date.now();

    const results = await Promise.all(
      clients.map(async (client, index) => {
        const received = digestOf(client);
        await writePattern(client, PAYLOAD, index + 1);
        return received;
      }),
    );
    const echoedAt = Date.now();

    const wrong = results.flatMap((result, index) =>
      result.bytes === PAYLOAD && result.digest === patternDigest(PAYLOAD, index + 1)
        ? []
        : [index],
    );
    expect(wrong).toEqual([]);
    expect(serverErrors).toEqual([]);
    expect(peak).toBe(count);
    await waitFor(() => open === 0, 'every server-side connection to close', 20_000);
    console.log(
      `echo load: ${count} clients held at once; connect ${connectedAt - started} ms, ` +
        `echo of ${(count * PAYLOAD) / MiB} MiB each way ${echoedAt - connectedAt} ms`,
    );
  }, 120_000);
});
