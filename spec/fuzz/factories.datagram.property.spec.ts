/**
 * Bad input to `createDatagramEndpoint`: given arbitrary and near-miss local and remote
 * addresses, families and flags, each call resolves (and what it opened is closed again) or
 * rejects with a `TransportError`, or a `TypeError`/`RangeError` carrying a string `code`; it
 * never hangs, never crashes the process, and leaves no handle open.
 *
 * Safety: hosts are loopback or names that cannot resolve; remote ports are our own sink's,
 * near misses, or invalid.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { createDatagramEndpoint, type InetAddress } from '../../src/index';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { HOST } from '../helpers/sockets';
import {
  anything,
  checkCall,
  collectExceptionReports,
  oneOfValues,
  triedSummary,
} from './badInput';
import {
  NUM_RUNS,
  hosts,
  options,
  ports,
  protocolFactories,
  useScratchDir,
} from './factories.helpers';

describe('factories given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  collectExceptionReports();
  const scratchDir = useScratchDir();

  afterAll(() => {
    console.log(`factories given bad input (datagrams): ${triedSummary()}`);
  });

  it('createDatagramEndpoint', async () => {
    const dir = scratchDir();
    const sink = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
    resources.defer(async () => {
      sink.abort();
      await new Promise((resolve) =>
        sink.closed$.subscribe({
          complete: () => {
            resolve(null);
          },
        }),
      );
    });
    const sinkAddr = sink.getExtraInfo('sockname') as InetAddress;
    const families = fc.oneof(
      oneOfValues(['IPv4', 'IPv6', 'unix', 'ipv4', 'IPV6', '', 4, 6]),
      anything(),
    );
    const addr = (...good: number[]): fc.Arbitrary<unknown> =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constant({ host: HOST, port: good[0] }) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: anything() },
        { weight: 1, arbitrary: fc.constant({ path: join(dir, 'dgram.sock') }) },
        {
          weight: 3,
          arbitrary: fc.record(
            { host: hosts(), port: ports(...good), family: families },
            { requiredKeys: ['host'] },
          ),
        },
      );
    const arb = options(
      {
        localAddr: addr(0),
        remoteAddr: addr(sinkAddr.port),
        family: families,
        reuseAddress: fc.oneof(fc.boolean(), anything()),
        allowBroadcast: fc.oneof(fc.boolean(), anything()),
        protocol: protocolFactories(),
      },
      ['localAddr', 'protocol'],
    );
    await fc.assert(
      fc.asyncProperty(arb, async (opts) => {
        await checkCall('createDatagramEndpoint', () => createDatagramEndpoint(opts as never));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
