/**
 * Bad input to the Unix socket factories, `createUnixServer` and `createUnixConnection`: given
 * arbitrary values and near-miss paths (fresh, abstract, already listening, a regular file, a
 * directory, missing parents, too long, with a NUL), each call resolves (and what it opened is
 * closed again) or rejects with a `TransportError`, or a `TypeError`/`RangeError` carrying a
 * string `code`; it never hangs, never crashes the process, and leaves no handle open.
 *
 * Safety: paths are made in a scratch directory (or are abstract names); random strings are
 * never used as paths, as they would be relative to the working directory.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUnixConnection, createUnixServer } from '../../src/index';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { anythingButStrings, checkCall, collectExceptionReports, triedSummary } from './badInput';
import { NUM_RUNS, options, protocolFactories, useScratchDir } from './factories.helpers';

describe('factories given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  collectExceptionReports();
  const scratchDir = useScratchDir();

  afterAll(() => {
    console.log(`factories given bad input (Unix sockets): ${triedSummary()}`);
  });

  it('createUnixServer and createUnixConnection', async () => {
    const dir = scratchDir();
    const listening = join(dir, 'listening.sock');
    resources.server(await createUnixServer({ path: listening })).connections$.subscribe((c) => {
      c.close();
    });
    const file = join(dir, 'regular-file');
    writeFileSync(file, 'not a socket');
    let n = 0;
    const paths = fc.oneof(
      fc.constantFrom<unknown>(
        () => join(dir, `s${++n}.sock`),
        () => `\0rxt-fuzz-${process.pid}-${++n}`,
        () => listening,
        () => file,
        () => dir,
        () => join(dir, 'missing', 'x.sock'),
        () => join(dir, 'x'.repeat(120)),
        () => join(dir, 'nul\0inside.sock'),
        () => '',
      ),
      // Strings only from the list: a random one is a path relative to the working directory.
      anythingButStrings(),
    );
    const arb = fc.tuple(
      fc.boolean(),
      options({ path: paths, protocol: protocolFactories() }, ['path', 'protocol']),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([server, given]) => {
        // Path makers run here, so that each run gets a fresh path.
        const opts =
          typeof given === 'object' && given !== null && 'path' in given
            ? {
                ...given,
                path:
                  typeof given.path === 'function' ? (given.path as () => unknown)() : given.path,
              }
            : given;
        if (server) await checkCall('createUnixServer', () => createUnixServer(opts as never));
        else await checkCall('createUnixConnection', () => createUnixConnection(opts as never));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
