/**
 * Bad input to the TCP factories, `createConnection` and `createServer`: given arbitrary values
 * (`fc.anything()`) and targeted near-miss values, each call resolves (and what it opened is
 * closed again) or rejects with a `TransportError`, or a `TypeError`/`RangeError` carrying a
 * string `code`; it never hangs, never crashes the process, and leaves no handle open (checked
 * after every call, and after each property with the leak helper).
 *
 * Safety: hosts are loopback or names that cannot resolve; ports are our own server's, known
 * unused ones, or invalid.
 */
import fc from 'fast-check';
import { createConnection, createServer, type Server } from '../../src/index';
import { useLeakCheck } from '../helpers/leaks';
import { useResources } from '../helpers/resources';
import { HOST, inetAddressOf, unusedPort } from '../helpers/sockets';
import {
  anything,
  checkCall,
  collectExceptionReports,
  oneOfValues,
  triedSummary,
} from './badInput';
import { NUM_RUNS, hosts, options, ports, protocolFactories } from './factories.helpers';

describe('factories given bad input', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  collectExceptionReports();

  afterAll(() => {
    console.log(`factories given bad input (TCP): ${triedSummary()}`);
  });

  /** A TCP server of ours that accepts and closes what connects. */
  async function target(): Promise<{ server: Server; port: number }> {
    const server = resources.server(await createServer({ host: HOST, port: 0 }));
    server.connections$.subscribe((connection) => {
      connection.close();
    });
    return { server, port: inetAddressOf(server).port };
  }

  it('createConnection', async () => {
    const { port } = await target();
    const refused = await unusedPort();
    const localAddr = fc.oneof(
      fc.constant(undefined),
      anything(),
      fc.record(
        { host: oneOfValues([HOST, '::1', '', '192.0.2.1', 5]), port: ports(0) },
        { requiredKeys: [] },
      ),
    );
    const arb = options(
      {
        host: hosts(),
        port: fc.oneof(
          { weight: 3, arbitrary: fc.constant(port) },
          { weight: 1, arbitrary: ports(refused) },
        ),
        protocol: protocolFactories(),
        localAddr,
        noDelay: fc.oneof(fc.boolean(), anything()),
      },
      ['host', 'port', 'protocol'],
    );
    await fc.assert(
      fc.asyncProperty(arb, async (opts) => {
        await checkCall('createConnection', () => createConnection(opts as never));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('createServer', async () => {
    const arb = options({
      host: hosts(),
      port: ports(0),
      backlog: ports(0, 1, 511),
      reuseAddress: fc.oneof(fc.boolean(), anything()),
      protocol: protocolFactories(),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (opts) => {
        await checkCall('createServer', () => createServer(opts as never));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
