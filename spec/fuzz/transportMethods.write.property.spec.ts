/**
 * Bad input to the write side of a TCP transport and of a child's stdin: `write`, `writelines`
 * and `setWriteBufferLimits` with arbitrary arguments each work or throw a `TransportError`, or
 * a `TypeError`/`RangeError` carrying a string `code`; the peer receives exactly the bytes of the
 * writes that were accepted (a refused call writes nothing), and the water marks keep
 * `high >= low >= 0`.
 */
import fc from 'fast-check';
import { subprocessExec } from '../../src/index';
import type { WriteTransport } from '../../src/core/transports';
import { concatBytes } from '../../src/core/bytes';
import { sha256 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { collect } from '../helpers/streams';
import { waitFor } from '../helpers/waits';
import { trackProcess, within } from '../helpers/process';
import {
  anything,
  collectExceptionReports,
  expectWorksOrCodedError,
  settle,
  show,
  triedSummary,
} from './badInput';
import {
  NUM_RUNS,
  byteLikes,
  bytesOf,
  connectedPair,
  limitArgs,
  writeArgs,
} from './transportMethods.helpers';

describe('transport methods given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  const exceptions = collectExceptionReports();

  afterAll(() => {
    console.log(`transport methods given bad input (writes): ${triedSummary()}`);
  });

  /** The write side of a TCP client, or of a child's stdin (cat echoes it back). */
  const writeTargets = [
    [
      'a TCP transport',
      async (): Promise<{ target: WriteTransport; received: () => Promise<Uint8Array> }> => {
        const { client, received } = await connectedPair(resources);
        return {
          target: client,
          received: async () => {
            client.writeEof();
            await waitFor(() => received.ended !== null, 'EOF at the server');
            return received.bytes();
          },
        };
      },
    ],
    [
      "a child's stdin",
      async (): Promise<{ target: WriteTransport; received: () => Promise<Uint8Array> }> => {
        const child = trackProcess(resources, await subprocessExec('cat'));
        const echoed = collect(child.data$);
        return {
          target: child.stdin!,
          received: async () => {
            child.stdin!.writeEof();
            return within(echoed, 'cat to echo everything');
          },
        };
      },
    ],
  ] as const;

  describe.each(writeTargets)('on %s', (_name, open) => {
    it('write, writelines and setWriteBufferLimits: refused calls write nothing', async () => {
      const { target, received } = await open();
      const accepted: Uint8Array[] = [];
      const call = fc.oneof(
        writeArgs().map((data) => ({ method: 'write' as const, data })),
        fc
          .oneof(
            fc.array(writeArgs(), { maxLength: 4 }),
            fc.array(byteLikes(), { maxLength: 4 }),
            anything(),
          )
          .map((list) => ({ method: 'writelines' as const, list })),
        fc
          .tuple(limitArgs(), limitArgs(), fc.nat({ max: 2 }))
          .map(([high, low, arity]) => ({ method: 'limits' as const, high, low, arity })),
      );
      await fc.assert(
        fc.asyncProperty(call, async (c) => {
          const limitsBefore = target.getWriteBufferLimits();
          switch (c.method) {
            case 'write': {
              const outcome = await settle(() => {
                target.write(c.data as never);
              });
              expectWorksOrCodedError(outcome, `write(${show(c.data)})`);
              if (outcome.kind === 'returned') accepted.push(bytesOf(c.data));
              break;
            }
            case 'writelines': {
              const outcome = await settle(() => {
                target.writelines(c.list as never);
              });
              expectWorksOrCodedError(outcome, `writelines(${show(c.list)})`);
              // All or nothing: every item is checked before any is written.
              if (outcome.kind === 'returned') {
                for (const item of c.list as Iterable<unknown>) accepted.push(bytesOf(item));
              }
              break;
            }
            case 'limits': {
              const args = [c.high, c.low].slice(0, c.arity) as [never?, never?];
              const outcome = await settle(() => {
                target.setWriteBufferLimits(...args);
              });
              expectWorksOrCodedError(outcome, `setWriteBufferLimits(${show(args)})`);
              const [low, high] = target.getWriteBufferLimits();
              if (outcome.kind === 'threw') expect([low, high]).toEqual(limitsBefore);
              expect(Number.isInteger(low) && Number.isInteger(high)).toBe(true);
              expect(high >= low && low >= 0).toBe(true);
              // Keep the buffer flowing for the next runs.
              target.setWriteBufferLimits(64 * 1024);
              break;
            }
          }
          expect(target.isClosing()).toBe(false);
        }),
        { numRuns: NUM_RUNS * 2 },
      );
      const all = concatBytes(accepted);
      const got = await received();
      expect({ bytes: got.byteLength, sha256: sha256(got) }).toEqual({
        bytes: all.byteLength,
        sha256: sha256(all),
      });
      expect(exceptions.reports).toEqual([]);
    });
  });
});
